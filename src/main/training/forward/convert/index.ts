export { convertLayersModel } from './convert-layers-model';
export type { ConvertOptions, ConvertResult } from './types';

/** Bump when the graphs the converter writes change: it is part of the cached .onnx's key. */
export const CONVERTER_VERSION = 2;
