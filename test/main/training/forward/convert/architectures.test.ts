import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll } from 'vitest';
import { archPreprocessing, buildArchitecture, importKerasH5 } from '../../../../../src/main/training/backbones/keras';
import { loadTfjsFolderModel, validateTfjsFolder } from '../../../../../src/main/training/backbones/tfjs-folder';
import { seededRandom } from '@shared/random';
import { writeKerasH5, type TestLayer } from '../../backbones/keras/helpers';
import { DATA } from '../../fixtures';
import { describeBackbone, realImages } from './helpers';

const MODELS = join(DATA, 'models');
const dir = mkdtempSync(join(tmpdir(), 'lds-onnx-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Seeded random weights that keep activations of order 1 through a deep net (He-uniform kernels, the
 * first one scaled down for caffe-style input of ±130, batch-norm statistics far from identity so
 * folding is really exercised).
 */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rand = seededRandom(seed);
  const uniform = (n: number, lo: number, hi: number): Float32Array => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
  let firstKernel = true;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const cls = layer.getClassName();
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const short = w.originalName.split('/').at(-1) ?? '';
      if (cls === 'BatchNormalization') {
        if (short.startsWith('gamma')) return tf.tensor(uniform(n, 0.2, 0.6), shape);
        if (short.startsWith('moving_variance')) return tf.tensor(uniform(n, 0.5, 1.5), shape);
        return tf.tensor(uniform(n, -0.2, 0.2), shape);
      }
      if (shape.length === 1) return tf.tensor(uniform(n, -0.1, 0.1), shape);
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / fanIn) / (firstKernel ? 64 : 1);
      firstKernel = false;
      return tf.tensor(uniform(n, -limit, limit), shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** A model's weights in Keras .h5 layout (as keras.Model.save_weights writes them). */
function kerasLayers(model: tf.LayersModel): TestLayer[] {
  return model.layers.map((layer) => {
    const values = layer.getWeights();
    const weights = layer.weights.map((w, i) => ({
      name: `${layer.name}/${w.originalName.split('/').at(-1)}:0`,
      shape: w.shape as number[],
      values: values[i]!.dataSync() as Float32Array,
    }));
    return { name: layer.name, weights };
  });
}

describeBackbone("Keras .h5 MobileNet v1 0.25 (shared/data, Keras 2.1 'same' strided convs) to ONNX", async () => {
  const { model, info } = await importKerasH5(join(MODELS, 'mobilenet_2_5_224_tf_no_top.h5'));
  return {
    model,
    reference: model,
    input: await realImages(3, info.preprocessing),
    outputShape: [7, 7, 256],
    dispose: () => model.dispose(),
  };
});

describeBackbone("Keras .h5 MobileNet v2 0.35 (Google's weights written as .h5, rebuilt at 192 px) to ONNX", async () => {
  const source = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v2_0.35_224_no_top')));
  const file = join(dir, 'mobilenet_v2_0.35.h5');
  await writeKerasH5(file, kerasLayers(source));
  source.dispose();
  const { model, info } = await importKerasH5(file, { inputSize: 192 });
  return {
    model,
    reference: model,
    input: await realImages(3, info.preprocessing),
    outputShape: [6, 6, 1280],
    dispose: () => model.dispose(),
  };
});

describeBackbone('VGG16 (architectures.ts, seeded random weights, 64 px, caffe input) to ONNX', async () => {
  const { model } = buildArchitecture('vgg16', { inputSize: 64 });
  randomizeWeights(model, 16);
  return {
    model,
    reference: model,
    input: await realImages(3, archPreprocessing('vgg16', 64)),
    outputShape: [2, 2, 512],
    dispose: () => model.dispose(),
  };
});

describeBackbone('ResNet50 (architectures.ts, seeded random weights, 64 px, caffe input) to ONNX', async () => {
  const { model } = buildArchitecture('resnet50', { inputSize: 64 });
  randomizeWeights(model, 50);
  return {
    model,
    reference: model,
    input: await realImages(3, archPreprocessing('resnet50', 64)),
    outputShape: [2, 2, 2048],
    dispose: () => model.dispose(),
  };
});
