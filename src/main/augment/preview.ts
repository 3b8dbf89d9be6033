import * as tf from '@tensorflow/tfjs';
import type { AugmentParams } from '@shared/contract/augment';
import { readImageRgb, type ResizeFit, type RgbImage } from '../images';
import { augmentVariants } from './augment-batch';

/** Source-resolution previews are capped here so a 24-megapixel photo still previews quickly. */
export const SOURCE_PREVIEW_MAX = 1024;

export interface PreviewSource {
  /** Content hash: the key the random stream uses, as training does. */
  sha256: string;
  path: string;
  /** The picture's own size (after EXIF rotation), for size 'source'. */
  width: number;
  height: number;
}

export interface PreviewPixels {
  width: number;
  height: number;
  /** The decoded picture as training gets it before augmentation, RGB 0..255. */
  original: Uint8Array;
  /** The variants asked for, in order, exactly as training's augmentVariants returns them (times rescale, if set). */
  variants: Float32Array[];
}

/**
 * Decodes one image the way training does (readImageRgb at the model input size with bilinear
 * resize, the project's resize mode). The engine keeps these in AugmentPreviewService's cache while
 * sliders move; this is the uncached decode.
 */
export async function decodeForPreview(source: PreviewSource, size: number | 'source', fit: ResizeFit = 'stretch'): Promise<RgbImage> {
  if (size !== 'source') return readImageRgb(source.path, size, 'bilinear', { fit });
  const scale = Math.min(1, SOURCE_PREVIEW_MAX / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  return readImageRgb(source.path, { width, height }, 'bilinear');
}

/**
 * Runs a decoded image through THE augmentation function as variants first..first+n-1. Training
 * feeds variant e of an image in epoch e (0-based), so tile k is what the model sees in epoch k + 1.
 */
export function previewVariants(image: RgbImage, sha256: string, n: number, params: AugmentParams, seed: number, first = 0): PreviewPixels {
  return variantsAt(
    image,
    sha256,
    Array.from({ length: n }, (_, k) => first + k),
    params,
    seed,
  );
}

/** The variants with these indices (any order, gaps allowed: the preview computes only what it has not cached). */
export function variantsAt(
  image: RgbImage,
  sha256: string,
  indices: readonly number[],
  params: AugmentParams,
  seed: number,
): PreviewPixels {
  const { width, height } = image;
  const n = indices.length;
  if (n === 0) return { width, height, original: image.data, variants: [] };
  const batch = new Float32Array(n * width * height * 3);
  for (let k = 0; k < n; k++) batch.set(image.data, k * width * height * 3);
  const input = tf.tensor4d(batch, [n, height, width, 3], 'float32');
  const keys = indices.map(() => sha256);
  let out: tf.Tensor4D | null = null;
  try {
    out = augmentVariants(input, keys, indices, params, seed);
    const data = out.dataSync() as Float32Array;
    const per = width * height * 3;
    return { width, height, original: image.data, variants: indices.map((_, k) => data.subarray(k * per, (k + 1) * per)) };
  } finally {
    input.dispose();
    out?.dispose();
  }
}

/** Back to displayable 0..255: undoes rescale, which only changes the scale, not the picture. */
export function displayPixels(variant: Float32Array, params: AugmentParams): Float32Array {
  if (params.rescale === null) return variant;
  const inv = 1 / params.rescale;
  return variant.map((v) => v * inv);
}

/**
 * 0..255 values as bytes, rounded half up and clipped as the PNG encoder writes them. Float32Array
 * only: one element type keeps this loop monomorphic (a generic ArrayLike version cost as much as the warp).
 */
export function toBytes(pixels: Float32Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
  return out;
}
