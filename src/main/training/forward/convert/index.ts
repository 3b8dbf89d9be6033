export { convertLayersModel } from './convert-layers-model';
export type { ConvertOptions, ConvertResult } from './types';
