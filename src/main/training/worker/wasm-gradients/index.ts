export { installWasmGradients, WASM_GRADIENT_KERNELS } from './install';
export { useWasmBackend, wasmBinaryDirectory } from './wasm-backend';
