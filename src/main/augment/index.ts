export { augmentVariants, augmentBatch } from './augment-batch';
export { sampleTransform, zoomBounds, IDENTITY_TRANSFORM, type SampledTransform } from './sample';
export { transformMatrix, applyMatrix, type Matrix3 } from './matrix';
export { parseAugmentParams, AugmentParamsError } from './params';
export { BUILTIN_PRESETS, builtinPreset, isBuiltinPreset } from './presets';
export { PresetService, PresetError } from './preset-service';
export { decodeForPreview, previewVariants, displayPixels, SOURCE_PREVIEW_MAX, type PreviewSource, type PreviewPixels } from './preview';
export { encodePngRgb, pngDataUrl } from './png';
export { readyForAugment } from './ready';
