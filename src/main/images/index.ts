export { DECODE_CONCURRENCY, createLimiter, decodeLimit } from './concurrency';
export { ACCEPTED_FORMATS, IMAGE_EXTENSIONS, isImageFileName } from './formats';
export { probeImageBuffer, probeImageFile, sha256Of, describeFsError, type ProbeResult, type ProbedImage } from './probe';
export { thumbnail, renderFull, THUMB_SIZE, FULL_MAX_SIZE, type EncodedImage } from './render';
export { readImageRgb, type ReadRgbOptions, type ResizeFit, type ResizeMethod, type RgbImage } from './read-rgb';
