export { DECODE_CONCURRENCY, createLimiter, decodeLimit } from './concurrency';
export { ACCEPTED_FORMATS, IMAGE_EXTENSIONS, isImageFileName } from './formats';
export { probeImageFile, sha256Of, describeFsError, PIXEL_LIMIT, type ProbeResult, type ProbedImage } from './probe';
export { displayPath, fsPath, needsBytes, pathFromBytes, pathFromString } from './file-path';
export { withSharpInput } from './sharp-input';
export { thumbnail, renderFull, THUMB_SIZE, FULL_MAX_SIZE, type EncodedImage } from './render';
export { centreSquare, readImageRgb, type ReadRgbOptions, type ResizeFit, type ResizeMethod, type RgbImage } from './read-rgb';
export { renderHeatmapOverlay } from './heatmap';
export { encodeJpegRgb } from './encode-rgb';
