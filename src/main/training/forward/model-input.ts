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
  const table = channelTables(p);
  const [r, g, b] = [table.subarray(0, 256), table.subarray(256, 512), table.subarray(512, 768)];
  // An 8-bit input has 256 values per channel: a table lookup gives the same float32 as the arithmetic,
  // at a quarter of its cost (it ran on the thread that feeds the forward engine).
  // Output channel c reads input channel c, or 2 − c where the contract wants BGR.
  const [s0, s2] = p.channelOrder === 'bgr' ? [2, 0] : [0, 2];
  for (let i = 0; i < rgb.length; i += 3) {
    out[offset + i] = r[rgb[i + s0] as number] as number;
    out[offset + i + 1] = g[rgb[i + 1] as number] as number;
    out[offset + i + 2] = b[rgb[i + s2] as number] as number;
  }
}

const tables = new Map<string, Float32Array>();

/** 3 × 256 model-input values: output channel c, input byte v → table[c * 256 + v]. */
function channelTables(p: Preprocessing): Float32Array {
  const key = `${p.mode}|${p.channelOrder}|${(p.mean ?? []).join(',')}`;
  let table = tables.get(key);
  if (table) return table;
  const f = Math.fround;
  const mean = (p.mean ?? [103.939, 116.779, 123.68]).map(f) as [number, number, number];
  table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      let x: number;
      if (p.mode === 'tf') x = f(f(v / 127.5) - 1);
      else if (p.mode === 'tm') x = f(f(v / 127) - 1);
      else if (p.mode === 'unit') x = f(v / 255);
      else x = f(v - mean[c]!);
      table[c * 256 + v] = x;
    }
  }
  tables.set(key, table);
  return table;
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
