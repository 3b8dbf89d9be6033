import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackboneSpec } from '../../../../../src/main/training/backbones/backbone-spec';
import { loadBackbone } from '../../../../../src/main/training/backbones/backbones';
import { inputBatch } from '../../../../../src/main/training/worker/image-batches';
import { createWasmPool, type WasmPool } from '../../../../../src/main/training/worker/parallel';
import { shareGradients } from '../../../../../src/main/training/worker/parallel/gradient-share';
import { MOBILENET_PREPROCESSING } from '../../../../../src/main/training/worker/preprocess';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';

const DATA = join(__dirname, '../../../../../../shared/data');
const spec: BackboneSpec = {
  id: 'mobilenet_v2_0.35_224',
  name: 'MobileNet v2 0.35',
  source: 'test',
  dir: join(DATA, 'models/mobilenet_v2_0.35_224_no_top'),
  weightsSha256: '0'.repeat(64),
  featureLayer: 'out_relu',
  topBlockStart: 'block_16_expand',
  preprocessing: MOBILENET_PREPROCESSING,
};
const dir = join(DATA, 'cats_and_dogs_filtered/train/cats');
const requests = readdirSync(dir)
  .sort()
  .slice(0, 5)
  .map((f) => ({ item: { path: join(dir, f), sha256: '0'.repeat(64), label: 0, split: 'train' as const }, variant: null }));

/**
 * A small net with conv, depthwise and dense layers. No dropout (masks are random) and no batch
 * norm: in training mode it normalises by each share's own statistics, so shares cannot add up to
 * the full batch exactly (as with data-parallel PyTorch without SyncBatchNorm).
 */
function smallNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [20, 20, 3], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3 }));
  return m;
}

let pool: WasmPool;

beforeAll(async () => {
  await useWasmBackend();
  pool = await createWasmPool({ threads: 2 });
});

afterAll(async () => {
  await pool?.close();
});

describe('wasm pool feature extraction', () => {
  it('gives the same features on two workers as on this thread, in request order', async () => {
    await pool.loadBackbone(spec);
    const { features, dim } = await pool.extractFeatures(requests, null, { chunkSize: 2 });
    expect(dim).toBe(1280);
    expect(features.length).toBe(requests.length * dim);

    const backbone = await loadBackbone(spec);
    const x = await inputBatch(
      requests.map((r) => r.item),
      spec.preprocessing,
      null,
    );
    const expected = tf.tidy(() => tf.mean(backbone.features.predict(x) as tf.Tensor4D, [1, 2]).dataSync());
    x.dispose();
    backbone.dispose();
    let worst = 0;
    for (let i = 0; i < features.length; i++) worst = Math.max(worst, Math.abs(features[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(Array.from(features.subarray(0, dim)).some((v) => v !== 0)).toBe(true);
  });

  it('names the file when an image cannot be read', async () => {
    const bad = [{ item: { ...requests[0]!.item, path: join(DATA, 'no-such-image.jpg') }, variant: null }];
    await expect(pool.extractFeatures(bad, null)).rejects.toThrow(/no-such-image\.jpg/);
  });
});

describe('wasm pool data-parallel gradients', () => {
  it('averages shares into the full-batch gradient and does not leak', async () => {
    const model = smallNet();
    await pool.loadTrainingModel(model, 'softmax-logits');
    const x = tf.randomUniform([7, 20, 20, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0], 'int32'), 3);

    const single = shareGradients(model, x, y, 'softmax-logits');
    const parallel = await pool.gradientStep(model, x, y);
    expect(parallel.loss).toBeCloseTo(single.loss, 5);
    model.trainableWeights.forEach((w, k) => {
      const a = parallel.grads[w.name]!.dataSync();
      const b = single.grads[k]!.dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst, w.name).toBeLessThan(1e-5);
    });
    tf.dispose(single.grads);
    tf.dispose(Object.values(parallel.grads));

    // The workers follow weight updates made on this thread.
    const optimizer = tf.train.sgd(0.1);
    const step = async (): Promise<void> => {
      const { grads } = await pool.gradientStep(model, x, y);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
    };
    await step();
    const before = tf.memory().numTensors;
    const workersBefore = await pool.workerTensors();
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    expect(await pool.workerTensors()).toEqual(workersBefore);

    const after = shareGradients(model, x, y, 'softmax-logits');
    const again = await pool.gradientStep(model, x, y);
    expect(again.loss).toBeCloseTo(after.loss, 5);
    tf.dispose(after.grads);
    tf.dispose(Object.values(again.grads));
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});
