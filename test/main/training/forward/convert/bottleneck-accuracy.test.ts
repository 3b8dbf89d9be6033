import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessingPreset } from '../../../../../src/main/training/backbones/backbone-registry';
import { inputBatch } from '../../../../../src/main/training/worker/image-batches';
import { LinearHead } from '../../../../../src/main/training/worker/linear-head';
import { loadLayersModelFromDir } from '../../../../../src/main/training/worker/model-io';
import type { ManifestItem } from '../../../../../src/main/training/protocol/worker-protocol';
import { useWasmBackend } from '../../backbones/keras/helpers';
import { catsDogsManifest, RESOURCES } from '../../fixtures';
import { convertOrThrow, maxAbsDiff, poolMaps, TOLERANCE } from './helpers';

// 50 + 50 photos per class by default; LDS_ONNX_ACCURACY_FULL=1 takes the whole split (2000 + 1000).
const FULL = process.env.LDS_ONNX_ACCURACY_FULL === '1';
const TRAIN_PER_CLASS = FULL ? 1000 : 50;
const VALIDATION_PER_CLASS = FULL ? 500 : 50;
const BATCH = 25;
const P = { ...preprocessingPreset('mobilenet'), inputSize: 224 };

interface Features {
  tfjs: Float32Array;
  onnx: Float32Array;
  labels: Int32Array;
}

async function features(items: ManifestItem[], model: tf.LayersModel, session: ort.InferenceSession): Promise<Features> {
  const dim = 1280;
  const out: Features = {
    tfjs: new Float32Array(items.length * dim),
    onnx: new Float32Array(items.length * dim),
    labels: Int32Array.from(items, (i) => i.label as number),
  };
  for (let start = 0; start < items.length; start += BATCH) {
    const x = await inputBatch(items.slice(start, start + BATCH), P, null);
    const pooled = tf.tidy(() => tf.mean(model.predict(x) as tf.Tensor4D, [1, 2]).dataSync() as Float32Array);
    out.tfjs.set(pooled, start * dim);
    const map = await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    out.onnx.set(poolMaps(map.output!.data as Float32Array, [7, 7, dim]), start * dim);
    x.dispose();
  }
  return out;
}

function trainedAccuracy(train: Float32Array, trainLabels: Int32Array, validation: Float32Array, validationLabels: Int32Array): number {
  const head = new LinearHead(1280, 2, 0.2, 1);
  const order = Int32Array.from(trainLabels, (_, i) => i);
  const rand = (
    (s: number) => () =>
      (s = (s * 1103515245 + 12345) >>> 0) / 4294967296
  )(7);
  for (let epoch = 0; epoch < 20; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b = 0; b < order.length; b += 32) head.step(train, trainLabels, order.subarray(b, b + 32), 1e-3);
  }
  return head.evaluate(validation, validationLabels).acc;
}

describe(`bottleneck features from ONNX Runtime vs TF.js on cats_and_dogs_filtered (${TRAIN_PER_CLASS} + ${VALIDATION_PER_CLASS} per class)`, () => {
  let model: tf.LayersModel;
  let session: ort.InferenceSession;
  let train: Features;
  let validation: Features;

  beforeAll(async () => {
    await useWasmBackend();
    model = await loadLayersModelFromDir(join(RESOURCES, 'backbones', 'mobilenet_v2_0.35_224'));
    session = await ort.InferenceSession.create(convertOrThrow(model).onnx, { intraOpNumThreads: 2 });
    const manifest = catsDogsManifest(TRAIN_PER_CLASS, VALIDATION_PER_CLASS);
    train = await features(
      manifest.items.filter((i) => i.split === 'train'),
      model,
      session,
    );
    validation = await features(
      manifest.items.filter((i) => i.split === 'validation'),
      model,
      session,
    );
  }, 1_800_000);

  afterAll(async () => {
    model?.dispose();
    await session?.release();
  });

  it('pooled features agree within 1e-4 on every photo', () => {
    expect(maxAbsDiff(train.onnx, train.tfjs)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(validation.onnx, validation.tfjs)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('the bottleneck head trained on either reaches the same validation accuracy', () => {
    const fromTfjs = trainedAccuracy(train.tfjs, train.labels, validation.tfjs, validation.labels);
    const fromOnnx = trainedAccuracy(train.onnx, train.labels, validation.onnx, validation.labels);
    if (FULL) console.log(`validation accuracy: TF.js features ${fromTfjs}, ONNX Runtime features ${fromOnnx}`);
    expect(fromOnnx).toBeGreaterThanOrEqual(FULL ? 0.96 : 0.9);
    // Features 1e-5 apart may flip at most a borderline photo.
    expect(Math.abs(fromOnnx - fromTfjs)).toBeLessThanOrEqual(1 / (2 * VALIDATION_PER_CLASS));
  });
});
