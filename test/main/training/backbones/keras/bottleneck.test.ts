import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImageRgb } from '../../../../../src/main/images';
import { importKerasH5 } from '../../../../../src/main/training/backbones/keras';
import type { BackboneInfo } from '../../../../../src/main/training/backbones/keras';
import { preprocess } from '../../../../../src/main/training/worker/preprocess';
import { importTfjsFolder } from '../../../../../src/main/training/backbones/tfjs-folder';
import { useWasmBackend } from './helpers';

const DATA = join(__dirname, '../../../../../../shared/data');
const CATS_DOGS = join(DATA, 'cats_and_dogs_filtered');

function files(split: 'train' | 'validation', first: number, count: number): { path: string; label: number }[] {
  return (['cats', 'dogs'] as const).flatMap((cls, label) =>
    Array.from({ length: count }, (_, i) => ({ path: join(CATS_DOGS, split, cls, `${cls.slice(0, 3)}.${first + i}.jpg`), label })),
  );
}

/** Global-average-pooled features, batch by batch, through the app's own decode + preprocess. */
async function pooledFeatures(model: tf.LayersModel, info: BackboneInfo, paths: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < paths.length; i += 10) {
    const images = await Promise.all(
      paths.slice(i, i + 10).map((p) => readImageRgb(p, info.inputSize, info.preprocessing.resize, { fit: 'centre-crop' })),
    );
    const pooled = tf.tidy(() => {
      const rgb = tf.stack(images.map((img) => tf.tensor3d(img.data, [img.height, img.width, 3], 'int32'))) as tf.Tensor4D;
      return tf.mean(model.predict(preprocess(rgb, info.preprocessing)) as tf.Tensor4D, [1, 2]) as tf.Tensor2D;
    });
    const rows = (await pooled.array()) as number[][];
    pooled.dispose();
    out.push(...rows.map((r) => Float32Array.from(r)));
  }
  return out;
}

/** Nearest class centroid (cosine): the simplest bottleneck head, enough to show the features work. */
function nearestCentroidAccuracy(train: Float32Array[], trainLabels: number[], test: Float32Array[], testLabels: number[]): number {
  const dim = (train[0] as Float32Array).length;
  const centroids = [0, 1].map((label) => {
    const c = new Float64Array(dim);
    train.forEach((f, i) => {
      if (trainLabels[i] === label) f.forEach((v, j) => (c[j] = (c[j] as number) + v));
    });
    return c;
  });
  const cosine = (a: Float32Array, b: Float64Array): number => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    a.forEach((v, j) => {
      dot += v * (b[j] as number);
      na += v * v;
      nb += (b[j] as number) ** 2;
    });
    return dot / Math.sqrt(na * nb + 1e-12);
  };
  const correct = test.filter(
    (f, i) => (cosine(f, centroids[1] as Float64Array) > cosine(f, centroids[0] as Float64Array) ? 1 : 0) === testLabels[i],
  ).length;
  return correct / test.length;
}

async function bottleneckAccuracy(model: tf.LayersModel, info: BackboneInfo, perClass: number): Promise<number> {
  const train = files('train', 0, perClass);
  const validation = files('validation', 2000, perClass);
  const trainFeatures = await pooledFeatures(
    model,
    info,
    train.map((f) => f.path),
  );
  const valFeatures = await pooledFeatures(
    model,
    info,
    validation.map((f) => f.path),
  );
  return nearestCentroidAccuracy(
    trainFeatures,
    train.map((f) => f.label),
    valFeatures,
    validation.map((f) => f.label),
  );
}

beforeAll(useWasmBackend);

describe('bottleneck features from imported backbones separate cats from dogs', () => {
  it('Keras MobileNet v1 0.25 .h5: 30 train / 30 validation images per class, above 0.75', async () => {
    const before = tf.memory().numTensors;
    const { model, info } = await importKerasH5(join(DATA, 'models/mobilenet_2_5_224_tf_no_top.h5'));
    const accuracy = await bottleneckAccuracy(model, info, 30);
    console.log(`mobilenet_v1 0.25 (.h5) nearest-centroid accuracy: ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.75);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Teachable Machine export, truncated at out_relu: 20 / 20 per class, above 0.75', async () => {
    const before = tf.memory().numTensors;
    const tm = await importTfjsFolder(join(DATA, 'models/tm_mobilenet_v2_0.35_224'));
    const accuracy = await bottleneckAccuracy(tm.model, tm.info, 20);
    console.log(`Teachable Machine base nearest-centroid accuracy: ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.75);
    tm.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
