export * from './execution-provider';
export * from './forward-engine';
export * from './forward-service';
export * from './model-input';
export * from './pipeline';
export type { ConvertResult, ConvertOptions, LayersModelConverter } from './converter';
