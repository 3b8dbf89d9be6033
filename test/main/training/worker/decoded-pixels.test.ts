import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { cacheBytes, decodePixels } from '../../../../src/main/training/worker/decoded-pixels';
import { decodeBatch, inputBatch, modelInput, trainingAugmentParams } from '../../../../src/main/training/worker/image-batches';
import { SCRATCH_PREPROCESSING } from '../../../../src/main/training/worker/preprocess';

const DIR = join(__dirname, '../../../../../shared/data/cats_and_dogs_filtered/train/cats');
const items = readdirSync(DIR)
  .sort()
  .slice(0, 6)
  .map((f, i) => ({ path: join(DIR, f), sha256: String(i).repeat(64), label: 0, split: 'train' as const }));
const p = SCRATCH_PREPROCESSING(40);
const noCancel = async () => {};

describe('pixels decoded once per run', () => {
  test("the cache and the stream give decodeBatch's pixels, and the budget decides which is used", async () => {
    const before = tf.memory().numTensors;
    const cached = await decodePixels(items, p, { budgetBytes: cacheBytes(items.length, 40), checkpoint: noCancel });
    const streamed = await decodePixels(items, p, { budgetBytes: cacheBytes(items.length, 40) - 1, checkpoint: noCancel });
    expect([cached.cached, cached.bytes, streamed.cached, streamed.bytes]).toEqual([true, 6 * 40 * 40 * 3, false, 0]);
    const order = Int32Array.from([4, 1, 5]);
    const reference = await decodeBatch(
      [4, 1, 5].map((i) => items[i]!),
      p,
    );
    const fromCache = await cached.batch(order);
    const fromStream = await streamed.batch(order);
    expect(fromCache.dtype).toBe('float32');
    expect(Array.from(fromCache.dataSync())).toEqual(Array.from(reference.dataSync()));
    expect(Array.from(fromStream.dataSync())).toEqual(Array.from(reference.dataSync()));
    tf.dispose([reference, fromCache, fromStream]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('augmenting cached pixels gives exactly what decoding each batch did (same variant, same seed)', async () => {
    const before = tf.memory().numTensors;
    const cached = await decodePixels(items, p, { budgetBytes: 1e9, checkpoint: noCancel });
    const augment = {
      params: trainingAugmentParams({ horizontal_flip: true, rotation_range: 30, zoom_range: 0.2, brightness_range: [0.8, 1.2] })!,
      seed: 7,
      variant: 3,
    };
    const pixels = await cached.batch(Int32Array.from([0, 2]));
    const viaCache = modelInput(pixels, [items[0]!, items[2]!], p, augment);
    const viaDecode = await inputBatch([items[0]!, items[2]!], p, augment);
    expect(Array.from(viaCache.dataSync())).toEqual(Array.from(viaDecode.dataSync()));
    tf.dispose([pixels, viaCache, viaDecode]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('filling the cache stops at a cancel', async () => {
    let calls = 0;
    const cancelled = decodePixels(items, p, {
      budgetBytes: 1e9,
      checkpoint: async () => {
        calls++;
        throw new Error('cancelled');
      },
    });
    await expect(cancelled).rejects.toThrow('cancelled');
    expect(calls).toBe(1);
  });
});
