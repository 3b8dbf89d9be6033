export { createWasmPool, type ExtractOptions, type WasmPool, type WasmPoolOptions } from './wasm-pool';
export { layersModelFromFile } from './layers-model-file';
export type { ExtractRequest, PoolLoss } from './pool-protocol';
