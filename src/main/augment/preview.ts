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
  /** Variants first..first+n-1 exactly as training's augmentVariants returns them (times rescale, if set). */
  variants: Float32Array[];
}

/**
 * Decodes one image the way training does (readImageRgb at the model input size with bilinear
 * resize, the project's resize mode) and runs it through THE augmentation function as variants 0..n-1. Training feeds
 * variant e of an image in epoch e (0-based), so tile k is what the model sees in epoch k + 1.
 */
export async function decodeForPreview(source: PreviewSource, size: number | 'source', fit: ResizeFit = 'stretch'): Promise<RgbImage> {
  // While sliders move, the same few pictures are asked for again and again: decode each once.
  const key = `${source.sha256}\u0000${source.path}\u0000${size}\u0000${fit}`;
  const cached = decoded.get(key);
  if (cached) {
    decoded.delete(key);
    decoded.set(key, cached);
    return cached;
  }
  const pending = decodeUncached(source, size, fit);
  decoded.set(key, pending);
  pending.catch(() => decoded.delete(key));
  while (decoded.size > DECODE_CACHE_ENTRIES) decoded.delete(decoded.keys().next().value as string);
  return pending;
}

const DECODE_CACHE_ENTRIES = 24;
const decoded = new Map<string, Promise<RgbImage>>();

async function decodeUncached(source: PreviewSource, size: number | 'source', fit: ResizeFit): Promise<RgbImage> {
  if (size !== 'source') return readImageRgb(source.path, size, 'bilinear', { fit });
  const scale = Math.min(1, SOURCE_PREVIEW_MAX / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  return readImageRgb(source.path, { width, height }, 'bilinear');
}

export function previewVariants(image: RgbImage, sha256: string, n: number, params: AugmentParams, seed: number, first = 0): PreviewPixels {
  const { width, height } = image;
  const batch = new Float32Array(n * width * height * 3);
  for (let k = 0; k < n; k++) batch.set(image.data, k * width * height * 3);
  const input = tf.tensor4d(batch, [n, height, width, 3], 'float32');
  const keys = Array.from({ length: n }, () => sha256);
  const indices = Array.from({ length: n }, (_, k) => first + k);
  let out: tf.Tensor4D | null = null;
  try {
    out = augmentVariants(input, keys, indices, params, seed);
    const data = out.dataSync() as Float32Array;
    const per = width * height * 3;
    return { width, height, original: image.data, variants: indices.map((_, k) => data.slice(k * per, (k + 1) * per)) };
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
