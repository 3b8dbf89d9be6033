import * as tf from '@tensorflow/tfjs';
import type { AugmentParams } from '@shared/contract/augment';
import { createLimiter, DECODE_CONCURRENCY, readImageRgb } from '../../images';
import { modelInput } from '../worker/image-batches';
import type { Preprocessing } from '../protocol/preprocessing-contract';
import type { ManifestItem } from '../protocol/worker-protocol';

/**
 * preprocess() (preprocess.ts) for 8-bit RGB rows straight into a float32 batch, without tensors:
 * the forward engine's plain batches skip TF.js entirely. Same float32 operations in the same order
 * (reverse channels, then x/127.5 − 1, x/127 − 1, x/255 or x − mean), so the values are bit-identical; the test
 * compares it with preprocess() on every contract.
 */
export function preprocessRgbInto(rgb: Uint8Array, p: Preprocessing, out: Float32Array, offset: number): void {
  const f = Math.fround;
  const bgr = p.channelOrder === 'bgr';
  const mean = (p.mean ?? [103.939, 116.779, 123.68]).map(f) as [number, number, number];
  for (let i = 0; i < rgb.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[i + (bgr ? 2 - c : c)] as number;
      let x: number;
      if (p.mode === 'tf') x = f(f(v / 127.5) - 1);
      else if (p.mode === 'tm') x = f(f(v / 127) - 1);
      else if (p.mode === 'unit') x = f(v / 255);
      else x = f(v - mean[c]!);
      out[offset + i + c] = x;
    }
  }
}

/**
 * Decodes in flight for the forward engine's batches. ONNX Runtime's run blocks the event loop, so a
 * decode cannot start the next one when it ends: the work has to be queued on libuv's threads
 * beforehand. Bounded all the same (each holds a decoded picture until it is resized).
 */
export const PIPELINE_DECODES = Math.max(8, 2 * DECODE_CONCURRENCY);
const pipelineLimit = createLimiter(PIPELINE_DECODES);

/** Decodes items at the contract's size and method and preprocesses them: [n, S, S, 3] float32. */
export async function plainInput(items: readonly { path: string }[], p: Preprocessing): Promise<Float32Array> {
  const size = p.inputSize * p.inputSize * 3;
  const out = new Float32Array(items.length * size);
  // Rows land as their decodes finish: one slow picture does not hold the others' copies.
  await Promise.all(
    items.map(async (item, i) => {
      const image = await readImageRgb(item.path, p.inputSize, p.resize, { limiter: pipelineLimit, fit: p.fit });
      preprocessRgbInto(image.data, p, out, i * size);
    }),
  );
  return out;
}

/** decodeBatch's pixels ([n, S, S, 3] int32, 0..255), decoded through the pipeline's limiter. */
async function pipelinedPixels(items: readonly ManifestItem[], p: Preprocessing): Promise<tf.Tensor4D> {
  const size = p.inputSize * p.inputSize * 3;
  const flat = new Int32Array(items.length * size);
  await Promise.all(
    items.map(async (item, i) => {
      const image = await readImageRgb(item.path, p.inputSize, p.resize, { limiter: pipelineLimit, fit: p.fit });
      flat.set(image.data, i * size);
    }),
  );
  return tf.tensor4d(flat, [items.length, p.inputSize, p.inputSize, 3], 'int32');
}

/** Model input for a batch, augmented (variant k of each image, via the one augmentation function) or plain. */
export async function batchInput(
  items: readonly ManifestItem[],
  p: Preprocessing,
  augment: { params: AugmentParams; seed: number; variant: number | readonly number[] } | null,
): Promise<Float32Array> {
  if (!augment) return plainInput(items, p);
  const pixels = await pipelinedPixels(items, p);
  try {
    const x = modelInput(pixels, items, p, augment);
    try {
      return (await x.data()) as Float32Array;
    } finally {
      x.dispose();
    }
  } finally {
    pixels.dispose();
  }
}
