import * as tf from '@tensorflow/tfjs';
import { readImageRgb } from '../../images';
import { decodeBatch } from './image-batches';
import type { Preprocessing } from './preprocess';
import type { ManifestItem } from '../protocol/worker-protocol';

/**
 * A split's pixels at the model's input size. Decoding and resizing a JPEG costs more than the
 * augmentation and a good share of a gradient step, so a split that fits the budget is decoded once
 * per run into 8-bit rows; a bigger one streams from disk every batch (bounded memory either way).
 */
export interface DecodedPixels {
  readonly cached: boolean;
  readonly bytes: number;
  /**
   * [n, S, S, 3] float32 0..255 for the items at `indices` (positions in the split), the same values
   * decodeBatch gives. From the cache it runs synchronously up to its return, so a caller can prepare
   * the next batch while a worker computes.
   */
  batch(indices: ArrayLike<number>): Promise<tf.Tensor4D>;
}

/** Images decoded between cancel checks while filling the cache. */
const DECODE_CHUNK = 32;

export interface DecodeOptions {
  /** Bytes the cache may take; above it the split streams. */
  budgetBytes: number;
  /** Gives the event loop a turn and throws when the run was cancelled. */
  checkpoint(): Promise<void>;
  onProgress?(done: number, total: number): void;
}

export function cacheBytes(count: number, inputSize: number): number {
  return count * inputSize * inputSize * 3;
}

export async function decodePixels(items: readonly ManifestItem[], p: Preprocessing, options: DecodeOptions): Promise<DecodedPixels> {
  const row = cacheBytes(1, p.inputSize);
  const shape = (n: number): [number, number, number, number] => [n, p.inputSize, p.inputSize, 3];
  if (cacheBytes(items.length, p.inputSize) > options.budgetBytes) {
    return {
      cached: false,
      bytes: 0,
      async batch(indices) {
        const decoded = await decodeBatch(
          Array.from(indices, (i) => items[i]!),
          p,
        );
        const pixels = tf.cast(decoded, 'float32') as tf.Tensor4D;
        decoded.dispose();
        return pixels;
      },
    };
  }
  const rows = new Uint8Array(items.length * row);
  for (let start = 0; start < items.length; start += DECODE_CHUNK) {
    await options.checkpoint();
    const chunk = items.slice(start, start + DECODE_CHUNK);
    const images = await Promise.all(chunk.map((item) => readImageRgb(item.path, p.inputSize, p.resize, { fit: p.fit })));
    images.forEach((image, k) => rows.set(image.data, (start + k) * row));
    options.onProgress?.(start + chunk.length, items.length);
  }
  return {
    cached: true,
    bytes: rows.byteLength,
    async batch(indices) {
      const n = indices.length;
      const out = new Float32Array(n * row);
      for (let k = 0; k < n; k++) {
        const from = indices[k]! * row;
        out.set(rows.subarray(from, from + row), k * row);
      }
      return tf.tensor4d(out, shape(n), 'float32');
    },
  };
}
