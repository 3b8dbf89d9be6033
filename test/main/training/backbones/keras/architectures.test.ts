import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archPreprocessing, buildArchitecture, importKerasH5, topBlockLayers } from '../../../../../src/main/training/backbones/keras';
import { modernResnetName } from '../../../../../src/main/training/backbones/keras/architectures';
import { innermostBase, loadTfjsFolderModel, validateTfjsFolder } from '../../../../../src/main/training/backbones/tfjs-folder';
import { useWasmBackend, writeKerasH5, type TestLayer } from './helpers';

const MODELS = join(__dirname, '../../../../../../shared/data/models');

let dir: string;
beforeAll(async () => {
  await useWasmBackend();
  dir = mkdtempSync(join(tmpdir(), 'lds-arch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model's weights in Keras .h5 layout, optionally renamed (to simulate older Keras names). */
function kerasLayers(model: tf.LayersModel, rename: (name: string) => string = (n) => n): TestLayer[] {
  return model.layers.map((layer) => {
    const name = rename(layer.name);
    const values = layer.getWeights();
    const weights = layer.weights.map((w, i) => ({
      name: `${name}/${w.originalName.split('/').at(-1)}:0`,
      shape: w.shape as number[],
      values: values[i]!.dataSync() as Float32Array,
    }));
    return { name, weights };
  });
}

async function maxDiff(a: tf.LayersModel, b: tf.LayersModel, size: number): Promise<number> {
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 9);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))));
  const value = (await diff.data())[0] as number;
  tf.dispose([x, diff]);
  return value;
}

describe('architectures rebuilt in code match the published TF.js conversions of the Keras models', () => {
  it('MobileNet v2 0.35 (every layer name, shape and padding)', async () => {
    const before = tf.memory().numTensors;
    const reference = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v2_0.35_224_no_top')));
    const file = join(dir, 'mnv2.h5');
    await writeKerasH5(file, kerasLayers(reference));
    const { model, info } = await importKerasH5(file);
    expect(info).toMatchObject({ arch: 'mobilenet_v2', alpha: 0.35, featureLayer: 'out_relu', outputShape: [7, 7, 1280] });
    expect(model.layers.map((l) => l.name)).toEqual(reference.layers.map((l) => l.name));
    expect(await maxDiff(model, reference, 224)).toBeLessThan(1e-4);
    expect(info.topBlockLayers[0]).toBe('block_16_expand');
    model.dispose();
    reference.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('MobileNet v1 0.75 (the ml5 model cut at conv_pw_13_relu)', async () => {
    const full = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v1_0.75_224')));
    const base = innermostBase(full);
    const reference = tf.model({ inputs: base.inputs, outputs: base.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
    const file = join(dir, 'mnv1.h5');
    await writeKerasH5(file, kerasLayers(reference));
    const { model, info } = await importKerasH5(file);
    expect(info).toMatchObject({ arch: 'mobilenet_v1', alpha: 0.75, outputShape: [7, 7, 768] });
    expect(await maxDiff(model, reference, 224)).toBeLessThan(1e-4);
    model.dispose();
    full.dispose();
  });
});

describe('VGG16 and ResNet50 bases', () => {
  it('VGG16: Keras layer names, [7, 7, 512] features at 224, caffe preprocessing, block5 top block', () => {
    const built = buildArchitecture('vgg16', { inputSize: 224 });
    expect(built.featureLayer).toBe('block5_pool');
    expect(built.model.getLayer('block5_pool').outputShape).toEqual([null, 7, 7, 512]);
    expect(built.model.countParams()).toBe(14_714_688);
    expect(archPreprocessing('vgg16', 224)).toMatchObject({ mode: 'caffe', channelOrder: 'bgr', mean: [103.939, 116.779, 123.68] });
    expect(topBlockLayers('vgg16', built.model)).toEqual(['block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool']);
    built.model.dispose();
  });

  it('ResNet50: also reads the older Keras layer names (res5c_branch2c, bn_conv1); stage 5 is the top block', async () => {
    const built = buildArchitecture('resnet50', { inputSize: 32, legacyResnetNames: true });
    expect(built.model.getLayer('conv5_block3_out').outputShape).toEqual([null, 1, 1, 2048]);
    const legacy = new Map<string, string>();
    for (const stage of [2, 3, 4, 5]) {
      for (const letter of 'abcdef') {
        for (const branch of ['1', '2a', '2b', '2c']) {
          for (const kind of ['res', 'bn'])
            legacy.set(modernResnetName(`${kind}${stage}${letter}_branch${branch}`), `${kind}${stage}${letter}_branch${branch}`);
        }
      }
    }
    legacy.set('conv1_conv', 'conv1').set('conv1_bn', 'bn_conv1');
    const file = join(dir, 'resnet50-legacy.h5');
    await writeKerasH5(
      file,
      kerasLayers(built.model, (n) => legacy.get(n) ?? n),
    );
    const { model, info } = await importKerasH5(file, { inputSize: 32 });
    expect(info).toMatchObject({ arch: 'resnet50', featureLayer: 'conv5_block3_out', outputShape: [1, 1, 2048] });
    expect(info.preprocessing.mode).toBe('caffe');
    expect(info.topBlockLayers).toContain('conv5_block1_0_conv');
    expect(model.countParams()).toBe(23_587_712);
    expect(info.topBlockLayers.every((n) => n.startsWith('conv5_'))).toBe(true);
    expect(topBlockLayers('resnet50', model)).toHaveLength(info.topBlockLayers.length);
    expect(await maxDiff(model, built.model, 32)).toBe(0);
    model.dispose();
    built.model.dispose();
  });
});
