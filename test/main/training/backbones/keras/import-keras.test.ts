import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKerasH5, saveBackbone, topBlockLayers } from '../../../../../src/main/training/backbones/keras';
import { randomArray, seeded, useWasmBackend, writeKerasH5, type TestLayer } from './helpers';

const REAL_H5 = join(__dirname, '../../../../../../shared/data/models/mobilenet_2_5_224_tf_no_top.h5');

let dir: string;
beforeAll(async () => {
  await useWasmBackend();
  dir = mkdtempSync(join(tmpdir(), 'lds-keras-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** vgg-mini: block1_conv1 3→4, block1_pool, block2_conv1 4→8, block2_pool (3x3 'same' convs, ReLU). */
function miniLayers(rand: () => number, overrides: Partial<Record<string, number[]>> = {}): TestLayer[] {
  const conv = (name: string, shape: number[]): TestLayer => ({
    name,
    weights: [
      {
        name: `${name}/kernel:0`,
        shape,
        values: randomArray(
          shape.reduce((a, b) => a * b, 1),
          rand,
          0.5,
        ),
      },
      { name: `${name}/bias:0`, shape: [shape[3] as number], values: randomArray(shape[3] as number, rand, 0.1) },
    ],
  });
  return [
    { name: 'input_1', weights: [] },
    conv('block1_conv1', overrides.block1_conv1 ?? [3, 3, 3, 4]),
    { name: 'block1_pool', weights: [] },
    conv('block2_conv1', overrides.block2_conv1 ?? [3, 3, 4, 8]),
    { name: 'block2_pool', weights: [] },
  ];
}

/** Independent reference: 'same' 3x3 convolution + bias + ReLU, HWIO kernel, NHWC with N = 1. */
function convRelu(
  x: Float32Array,
  h: number,
  w: number,
  cin: number,
  kernel: Float32Array,
  bias: Float32Array,
  cout: number,
): Float32Array {
  const out = new Float32Array(h * w * cout);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let o = 0; o < cout; o++) {
        let sum = bias[o] as number;
        for (let di = 0; di < 3; di++) {
          for (let dj = 0; dj < 3; dj++) {
            const y = i + di - 1;
            const xx = j + dj - 1;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            for (let c = 0; c < cin; c++)
              sum += (x[(y * w + xx) * cin + c] as number) * (kernel[((di * 3 + dj) * cin + c) * cout + o] as number);
          }
        }
        out[(i * w + j) * cout + o] = Math.max(0, sum);
      }
    }
  }
  return out;
}

function maxPool2(x: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array((h / 2) * (w / 2) * c);
  for (let i = 0; i < h / 2; i++) {
    for (let j = 0; j < w / 2; j++) {
      for (let k = 0; k < c; k++) {
        let m = -Infinity;
        for (const [di, dj] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const)
          m = Math.max(m, x[((2 * i + di) * w + 2 * j + dj) * c + k] as number);
        out[(i * (w / 2) + j) * c + k] = m;
      }
    }
  }
  return out;
}

describe('importKerasH5 with a written Keras-layout file', () => {
  for (const layout of ['weights-only', 'full-model'] as const) {
    it(`reproduces an independently computed VGG-style forward pass (${layout})`, async () => {
      const layers = miniLayers(seeded(7));
      const file = join(dir, `mini-${layout}.h5`);
      await writeKerasH5(file, layers, layout);
      const before = tf.memory().numTensors;
      const { model, info } = await importKerasH5(file, { inputSize: 8 });
      expect(info.arch).toBe('vgg-mini');
      expect(info.featureLayer).toBe('block2_pool');
      expect(info.outputShape).toEqual([2, 2, 8]);
      expect(info.source.layout).toBe(layout);

      const input = randomArray(8 * 8 * 3, seeded(11));
      const [, k1, , k2] = layers;
      let expected = convRelu(input, 8, 8, 3, k1!.weights[0]!.values, k1!.weights[1]!.values, 4);
      expected = maxPool2(expected, 8, 8, 4);
      expected = convRelu(expected, 4, 4, 4, k2!.weights[0]!.values, k2!.weights[1]!.values, 8);
      expected = maxPool2(expected, 4, 4, 8);

      const x = tf.tensor4d(input, [1, 8, 8, 3]);
      const y = model.predict(x) as tf.Tensor;
      const got = await y.data();
      tf.dispose([x, y]);
      expect(got.length).toBe(expected.length);
      let maxDiff = 0;
      expected.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (got[i] as number)))));
      expect(maxDiff).toBeLessThan(1e-4);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('reads a full-model file whose base is a nested model (Sequential[vgg_mini, Flatten, Dense])', async () => {
    const layers = miniLayers(seeded(5));
    const nested: TestLayer[] = [
      { name: 'vgg_mini', weights: layers.flatMap((l) => l.weights) },
      { name: 'flatten_1', weights: [] },
      {
        name: 'dense_1',
        weights: [
          { name: 'dense_1/kernel:0', shape: [32, 2], values: new Float32Array(64) },
          { name: 'dense_1/bias:0', shape: [2], values: new Float32Array(2) },
        ],
      },
    ];
    const file = join(dir, 'nested.h5');
    await writeKerasH5(file, nested, 'full-model');
    const { model, info } = await importKerasH5(file);
    expect(info).toMatchObject({ arch: 'vgg-mini', inputSize: 8, outputShape: [2, 2, 8] });
    const kernel = model.getLayer('block2_conv1').getWeights()[0] as tf.Tensor;
    expect(Array.from(await kernel.data())).toEqual(Array.from(layers[3]!.weights[0]!.values));
    model.dispose();
  });

  it('names the first mismatched layer and both shapes', async () => {
    const file = join(dir, 'wrong-shape.h5');
    await writeKerasH5(file, miniLayers(seeded(1), { block2_conv1: [3, 3, 4, 16] }));
    const target = join(dir, 'registry', 'wrong');
    const before = tf.memory().numTensors;
    await expect(importKerasH5(file, { inputSize: 8 })).rejects.toThrow(
      /wrong-shape\.h5: layer block2_conv1 .*\[3, 3, 4, 16\] in the file but the model expects \[3, 3, 4, 8\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(existsSync(target)).toBe(false);
  });

  it('names a missing layer', async () => {
    const file = join(dir, 'missing.h5');
    await writeKerasH5(
      file,
      miniLayers(seeded(2)).filter((l) => l.name !== 'block2_conv1'),
    );
    await expect(importKerasH5(file, { arch: 'vgg-mini', inputSize: 8 })).rejects.toThrow(
      /missing\.h5: layer block2_conv1 \(needed by vgg-mini\) is missing/,
    );
  });

  it('rejects a file that is not HDF5, and a truncated one', async () => {
    const notH5 = join(dir, 'photo.h5');
    writeFileSync(notH5, 'this is not an HDF5 file at all, just some text bytes'.repeat(20));
    await expect(importKerasH5(notH5)).rejects.toThrow(/photo\.h5: not an HDF5 file/);
    const truncated = join(dir, 'cut.h5');
    writeFileSync(truncated, readFileSync(REAL_H5).subarray(0, 700_000));
    await expect(importKerasH5(truncated)).rejects.toThrow(/cut\.h5: truncated HDF5 file: it holds 700000 bytes/);
    await expect(importKerasH5(join(dir, 'absent.h5'))).rejects.toThrow(/absent\.h5: cannot read the file \(ENOENT\)/);
  });

  it('cannot guess an unknown architecture and says which names it accepts', async () => {
    const file = join(dir, 'odd.h5');
    await writeKerasH5(file, [{ name: 'dense_1', weights: [{ name: 'dense_1/kernel:0', shape: [2, 2], values: new Float32Array(4) }] }]);
    await expect(importKerasH5(file)).rejects.toThrow(
      /odd\.h5: cannot tell the architecture .*vgg16, mobilenet_v1, mobilenet_v2, resnet50/,
    );
  });
});

describe('the real Keras MobileNet v1 0.25 weights file', () => {
  it('imports (alpha inferred), gives [1, 7, 7, 256] and round-trips through saveBackbone', async () => {
    const before = tf.memory().numTensors;
    const { model, info } = await importKerasH5(REAL_H5);
    expect(info).toMatchObject({
      arch: 'mobilenet_v1',
      alpha: 0.25,
      featureLayer: 'conv_pw_13_relu',
      inputSize: 224,
      outputShape: [7, 7, 256],
    });
    expect(info.preprocessing).toMatchObject({ mode: 'tf', channelOrder: 'rgb' });
    expect(info.source.fileSha256).toBe('dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf');
    expect(info.topBlockLayers).toEqual([
      'conv_dw_13',
      'conv_dw_13_bn',
      'conv_dw_13_relu',
      'conv_pw_13',
      'conv_pw_13_bn',
      'conv_pw_13_relu',
    ]);
    expect(topBlockLayers('mobilenet_v1', model)).toEqual(info.topBlockLayers);

    const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 3);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 7, 7, 256]);
    const values = await y.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0);

    const out = join(dir, 'registry', 'mobilenet_v1_0.25');
    const saved = await saveBackbone(model, info, out);
    const json = JSON.parse(readFileSync(join(out, 'backbone.json'), 'utf8'));
    expect(json.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json).toMatchObject({ arch: 'mobilenet_v1', featureLayer: 'conv_pw_13_relu', weightsSha256: saved.weightsSha256 });
    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: new Uint8Array(readFileSync(join(out, 'weights.bin'))).buffer,
    };
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const y2 = reloaded.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, y2))));
    expect(await diff.data()).toEqual(new Float32Array([0]));
    tf.dispose([x, y, y2, diff]);
    reloaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
