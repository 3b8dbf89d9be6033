import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../augment/tf-backend';
import { explainBatch, gradCamTarget } from '../../../../src/main/training/worker/grad-cam';

beforeAll(async () => {
  await useBackend('wasm');
});

/**
 * A bottleneck-shaped model small enough to work by hand: A is the input itself (a 1x1 identity
 * convolution), then global average pooling and a dense softmax head with kernel W and no bias.
 * A is 2 rows x 3 columns x 2 channels: channel 0 is 1 at (0,0), channel 1 is 2 at (1,2).
 * Scores z = mean(A) · W = [1/6, 2/6] · [[1,-1,0],[-1,1,0]] = [-1/6, 1/6, 0]. For class c,
 * dz_c/dA[i,j,k] = W[k,c] / 6 at every position, so the channel weights are W[:,c] / 6 and the map is
 * ReLU(W[0,c]/6 · A0 + W[1,c]/6 · A1).
 */
function pooledModel(): tf.LayersModel {
  const input = tf.input({ shape: [2, 3, 2] });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'features' });
  const pool = tf.layers.globalAveragePooling2d({ name: 'head_pool' });
  const dense = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head_output' });
  const out = dense.apply(pool.apply(conv.apply(input))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  conv.setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2])]);
  dense.setWeights([tf.tensor2d([1, -1, 0, -1, 1, 0], [2, 3]), tf.zeros([3])]);
  return model;
}

const handInput = (): tf.Tensor4D => {
  const a = new Float32Array(2 * 3 * 2);
  a[(0 * 3 + 0) * 2 + 0] = 1;
  a[(1 * 3 + 2) * 2 + 1] = 2;
  return tf.tensor4d(a, [1, 2, 3, 2]);
};

describe('Grad-CAM arithmetic (hand-worked)', () => {
  test('pooled head: the map, its peak and the probabilities match the hand computation, for each class', async () => {
    const model = pooledModel();
    const target = gradCamTarget(model);
    expect(target?.layer).toBe('features');
    const x = handInput();
    const before = tf.memory().numTensors;
    const [top] = await explainBatch(target!, x, null);
    const [zero] = await explainBatch(target!, x, 0);
    const [none] = await explainBatch(target!, x, 2);
    expect(tf.memory().numTensors).toBe(before);
    // Default: the top class (1); its evidence is channel 1's bottom-right cell, weight 1/6 x value 2.
    expect(top).toMatchObject({ classIndex: 1, gridWidth: 3, gridHeight: 2, grid: [0, 0, 0, 0, 0, 1] });
    // The raw peak is of the score before softmax: 1/3 (through the softmax it would be p1·(1-p1)/3 ≈ 0.074).
    expect(top!.peak).toBeCloseTo(1 / 3, 6);
    const z = [-1 / 6, 1 / 6, 0];
    const sum = z.reduce((s, v) => s + Math.exp(v), 0);
    z.forEach((v, i) => expect(top!.probabilities[i]).toBeCloseTo(Math.exp(v) / sum, 6));
    // Class 0: channel 0's top-left cell, 1/6 x 1; the other cell is negative evidence, cut by the ReLU.
    expect(zero).toMatchObject({ classIndex: 0, grid: [1, 0, 0, 0, 0, 0] });
    expect(zero!.peak).toBeCloseTo(1 / 6, 6);
    // Class 2's weights are all zero: no evidence anywhere, an all-zero grid rather than NaNs.
    expect(none).toMatchObject({ classIndex: 2, grid: [0, 0, 0, 0, 0, 0], peak: 0 });
    await expect(explainBatch(target!, x, 3)).rejects.toThrow(/outside the model's 3 classes/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('scratch-shaped chain: the last convolution, through max-pooling, flatten and a softmax Activation layer', async () => {
    // A = relu(input) (1x1 conv, weight 1) is 4x4x1; 2x2 max-pooling passes each quadrant's largest
    // cell; dense (4 → 2) then a separate softmax. Gradient of z_c reaches only each quadrant's
    // maximum, with that quadrant's weight W[q, c]; the one channel's weight is their sum / 16.
    const input = tf.input({ shape: [4, 4, 1] });
    const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'relu', name: 'conv1' });
    const dense = tf.layers.dense({ units: 2, name: 'logits' });
    let h = conv.apply(input) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
    h = dense.apply(h) as tf.SymbolicTensor;
    h = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    conv.setWeights([tf.ones([1, 1, 1, 1]), tf.zeros([1])]);
    // Quadrant weights for class 0: 1, 1, 1, 1 (sum 4 > 0); class 1: -1 each (sum < 0).
    dense.setWeights([tf.tensor2d([1, -1, 1, -1, 1, -1, 1, -1], [4, 2]), tf.zeros([2])]);
    // Every quadrant has one largest cell (no ties), so exactly four cells get a gradient.
    const pixels = [3, 1, 2, 9, 0, 2, 1, 1, 5, 0, 0, 2, 1, 1, 6, 8];
    const x = tf.tensor4d(pixels, [1, 4, 4, 1]);
    const target = gradCamTarget(model);
    expect(target?.layer).toBe('conv1');
    const before = tf.memory().numTensors;
    const [e0] = await explainBatch(target!, x, 0);
    const [e1] = await explainBatch(target!, x, 1);
    expect(tf.memory().numTensors).toBe(before);
    // Class 0: weight 4/16 > 0, so the map is A itself scaled to its peak; the peak is 9 x 4/16.
    e0!.grid.forEach((v, i) => expect(v).toBeCloseTo((pixels[i] as number) / 9, 6));
    expect(e0!.peak).toBeCloseTo(9 / 4, 6);
    // Class 1: negative weight: nothing in the picture speaks for it.
    expect(e1!.peak).toBe(0);
    x.dispose();
    model.dispose();
  });

  test('a model with no convolutional feature map cannot be explained', () => {
    const input = tf.input({ shape: [8] });
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(gradCamTarget(model)).toBeNull();
    model.dispose();
  });
});
