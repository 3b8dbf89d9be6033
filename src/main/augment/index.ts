export { augmentVariants, augmentBatch } from './augment-batch';
export { sampleTransform, zoomBounds, IDENTITY_TRANSFORM, type SampledTransform } from './sample';
export { transformMatrix, applyMatrix, type Matrix3 } from './matrix';
export { parseAugmentParams, AugmentParamsError } from './params';
export { BUILTIN_PRESETS, builtinPreset, isBuiltinPreset } from './presets';
export { PresetService, PresetError } from './preset-service';
export {
  decodeForPreview,
  previewVariants,
  variantsAt,
  displayPixels,
  toBytes,
  SOURCE_PREVIEW_MAX,
  type PreviewSource,
  type PreviewPixels,
} from './preview';
export { AugmentPreviewService, PreviewSuperseded, type PreviewFormat, type PreviewOptions, type PreviewedImage } from './preview-service';
export { encodePngRgb, pngDataUrl } from './png';
export { readyForAugment } from './ready';
