import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { topBlock } from '../../../../src/main/training/backbones/backbones';
import type { BackboneSpec } from '../../../../src/main/training/backbones/backbone-spec';
import { buildArchitecture, topBlockLayers, type ArchName } from '../../../../src/main/training/backbones/keras/architectures';
import { useWasmBackend } from './keras/helpers';

beforeAll(async () => {
  await useWasmBackend();
});

function specFor(arch: ArchName, model: tf.LayersModel, featureLayer: string): BackboneSpec {
  return {
    id: arch,
    name: arch,
    source: 'test',
    dir: '/nowhere',
    weightsSha256: '',
    featureLayer,
    topBlockStart: topBlockLayers(arch, model)[0] ?? null,
    preprocessing: { inputSize: 64, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' },
  };
}

describe('topBlock: the layers fine-tuning unfreezes, run by hand', () => {
  test.each([
    ['resnet50', 64, 'conv5_block1', 30],
    ['mobilenet_v2', 64, 'block_16_expand', 8],
    ['vgg16', 32, 'block5_conv1', 4],
  ] as const)(
    '%s: the block alone reproduces the network from its entry to the feature layer',
    async (arch, inputSize, first, minLayers) => {
      const before = tf.memory().numTensors;
      const built = buildArchitecture(arch, { inputSize, alpha: arch === 'mobilenet_v2' ? 0.35 : undefined });
      const model = built.model;
      const block = topBlock(model, specFor(arch, model, built.featureLayer));
      expect(block.layers[0]?.name.startsWith(first)).toBe(true);
      expect(block.layers.at(-1)?.name).toBe(built.featureLayer);
      expect(block.layers.length).toBeGreaterThanOrEqual(minLayers);
      if (arch === 'resnet50') expect(block.layers.some((l) => l.getClassName() === 'Add')).toBe(true);

      const lower = tf.model({ inputs: model.inputs, outputs: block.entry });
      const full = tf.model({ inputs: model.inputs, outputs: model.getLayer(built.featureLayer).output as tf.SymbolicTensor });
      const x = tf.randomUniform([2, inputSize, inputSize, 3], -1, 1, 'float32', 7);
      const [expected, got] = tf.tidy(() => {
        const entry = lower.predict(x) as tf.Tensor;
        const byHand = block.forward(entry, (layer, input) => layer.apply(input, { training: false }) as tf.Tensor);
        return [full.predict(x) as tf.Tensor, byHand];
      });
      expect(got.shape).toEqual(expected.shape);
      const maxError = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0] as number);
      expect(maxError).toBeLessThan(1e-4);
      tf.dispose([x, expected, got]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
