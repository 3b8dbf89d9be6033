import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';

/** The recipe's scratch CNN (3 conv blocks 32-32-64), at a small input so the cpu step is quick. */
function scratchCnn(size: number, classes: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [size, size, 3], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  // rate 0: dropout masks come from each backend's own random stream and would differ
  m.add(tf.layers.dropout({ rate: 0 }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return m;
}

/** MobileNet-style: strided conv, depthwise (multipliers 1 and 2, strides 1 and 2), BN, ReLU6. */
function depthwiseSeparableNet(size: number, classes: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [size, size, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 1, useBias: false }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'valid' }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return m;
}

async function stepOn(backend: 'wasm' | 'cpu', model: tf.Sequential, initial: tf.Tensor[], x: tf.Tensor, y: tf.Tensor) {
  await tf.setBackend(backend);
  model.setWeights(initial);
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  const loss = (await model.trainOnBatch(x, y)) as number;
  return { loss, weights: model.getWeights().map((w) => w.dataSync().slice()) };
}

async function compareStep(model: tf.Sequential, size: number, batch: number): Promise<number> {
  const initial = model.getWeights().map((w) => w.clone());
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 3);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  const wasm = await stepOn('wasm', model, initial, x, y);
  const cpu = await stepOn('cpu', model, initial, x, y);
  await tf.setBackend('wasm');
  expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
  let worst = 0;
  wasm.weights.forEach((w, k) => {
    const c = cpu.weights[k]!;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i]! - c[i]!));
  });
  // and the step really moved the weights, so agreeing is not trivial
  const moved = wasm.weights.some((w, k) => w.some((v, i) => Math.abs(v - initial[k]!.dataSync()[i]!) > 1e-4));
  expect(moved).toBe(true);
  tf.dispose([...initial, x, y]);
  return worst;
}

beforeAll(async () => {
  await useWasmBackend();
});

describe('one training step on wasm equals the same step on cpu', () => {
  it('scratch CNN', async () => {
    const model = scratchCnn(38, 3);
    const worst = await compareStep(model, 38, 4);
    console.log(`scratch CNN step, max |w_wasm - w_cpu| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });

  it('depthwise-separable net with batch norm and ReLU6', async () => {
    const model = depthwiseSeparableNet(33, 3);
    const worst = await compareStep(model, 33, 4);
    console.log(`depthwise-separable step, max |w_wasm - w_cpu| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe('training steps do not leak on wasm', () => {
  it('keeps tf.memory() flat across steps', async () => {
    await tf.setBackend('wasm');
    const model = depthwiseSeparableNet(33, 3);
    model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([4, 33, 33, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    await model.trainOnBatch(x, y);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([x, y]);
    model.dispose();
  });
});
