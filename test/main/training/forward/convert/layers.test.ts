import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../../../src/main/training/forward/convert';
import { samePadding } from '../../../../../src/main/training/forward/convert/keras-padding';
import { seededRandom } from '@shared/random';
import { useWasmBackend } from '../../backbones/keras/helpers';
import { convertOrThrow, describeBackbone, maxAbsDiff, realImages, runOnnx } from './helpers';

const SIZE = 38;
const UNIT = { inputSize: SIZE, channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' } as const;

function seededWeights(model: tf.LayersModel, seed: number): void {
  const rand = seededRandom(seed);
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      seededWeights(layer, seed + 1);
      continue;
    }
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const short = w.originalName.split('/').at(-1) ?? '';
      const positive = short.startsWith('moving_variance') || short.startsWith('gamma');
      const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 4;
      const limit = positive ? 0 : Math.sqrt(3 / fanIn);
      return tf.tensor(
        Float32Array.from({ length: n }, () => (positive ? 0.5 + rand() : (rand() * 2 - 1) * limit)),
        shape,
      );
    });
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
}

type S = tf.SymbolicTensor;
const call = (layer: tf.layers.Layer, x: S | S[]): S => layer.apply(x) as S;

/**
 * One small model that goes through every layer kind the converter knows, at an even input size with
 * stride-2 'same' windows (TF pads bottom/right more there), shared layers and a sub-model applied twice.
 */
function layerZoo(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  let x = call(tf.layers.rescaling({ scale: 2, offset: -1, name: 'rescale' }), input);
  x = call(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'stem' }), x); // 19x19
  const pw = tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'shared_pw' });
  const a = call(
    tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', useBias: false, name: 'dw' }),
    x,
  ); // 10x10x16
  const aBn = call(tf.layers.batchNormalization({ name: 'dw_bn' }), a);
  const aAct = call(tf.layers.reLU({ maxValue: 6, name: 'dw_relu6' }), aBn);
  const b = call(tf.layers.separableConv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu', name: 'sep' }), x); // 10x10x16
  const padded = call(
    tf.layers.zeroPadding2d({
      padding: [
        [1, 2],
        [1, 1],
      ],
      name: 'pad_then_conv',
    }),
    x,
  );
  const c = call(
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'valid', dilationRate: 1, name: 'padded_conv' }),
    padded,
  ); // 10x10
  const dilated = call(
    tf.layers.conv2d({ filters: 16, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'dilated' }),
    call(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'max_same' }), x),
  ); // 10x10
  const sum = call(tf.layers.add({ name: 'add3' }), [aAct, b, c]);
  const normed = call(tf.layers.batchNormalization({ name: 'bn_after_add', center: false }), sum);
  const merged = call(tf.layers.concatenate({ name: 'concat' }), [
    normed,
    call(tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }), dilated),
  ]); // 10x10x32
  // A sub-model applied twice (its own scope each time) and one layer shared by two branches.
  const subInput = tf.input({ shape: [10, 10, 32] });
  const subOut = call(
    tf.layers.batchNormalization({ name: 'sub_bn' }),
    call(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'sub_conv' }), subInput),
  );
  const sub = tf.model({ inputs: subInput, outputs: subOut, name: 'block' });
  const s1 = call(sub, merged);
  const s2 = call(sub, call(tf.layers.activation({ activation: 'tanh', name: 'tanh' }), merged));
  const p1 = call(pw, s1);
  const p2 = call(pw, s2);
  const m = call(tf.layers.multiply({ name: 'mul' }), [call(tf.layers.activation({ activation: 'sigmoid', name: 'gate' }), p1), p2]);
  const d = call(tf.layers.activation({ activation: 'softsign', name: 'softsign' }), p1);
  const avg = call(tf.layers.average({ name: 'avg' }), [m, d]);
  const mx = call(tf.layers.maximum({ name: 'max' }), [m, d]);
  const mn = call(tf.layers.minimum({ name: 'min' }), [m, d]);
  let map = call(tf.layers.concatenate({ name: 'concat2' }), [avg, mx, mn]); // 10x10x24
  map = call(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg_same' }), map); // 5x5
  map = call(tf.layers.activation({ activation: 'swish', name: 'swish' }), map);
  map = call(
    tf.layers.cropping2D({
      cropping: [
        [0, 1],
        [1, 0],
      ],
      name: 'crop',
    }),
    map,
  ); // 4x4
  const softmaxMap = call(tf.layers.softmax({ axis: -1, name: 'softmax_map' }), map);
  const denseOnMap = call(tf.layers.dense({ units: 6, activation: 'softplus', name: 'dense_on_map' }), map); // 4x4x6
  const flat = call(tf.layers.flatten({ name: 'flatten' }), softmaxMap);
  const gmp = call(tf.layers.globalMaxPooling2d({ name: 'gmp' }), denseOnMap);
  const gap = call(
    tf.layers.globalAveragePooling2d({ name: 'gap' }),
    call(tf.layers.activation({ activation: 'selu', name: 'selu' }), map),
  );
  let v = call(tf.layers.concatenate({ name: 'features' }), [flat, gmp, gap]);
  v = call(tf.layers.dense({ units: 12, name: 'fc1' }), v);
  v = call(tf.layers.batchNormalization({ name: 'fc1_bn' }), v);
  v = call(tf.layers.activation({ activation: 'hardSigmoid', name: 'fc1_act' }), v);
  v = call(tf.layers.dropout({ rate: 0.5, name: 'drop' }), v);
  v = call(tf.layers.reshape({ targetShape: [3, 4], name: 'to_3x4' }), v);
  v = call(tf.layers.flatten({ name: 'flatten2' }), v);
  v = call(tf.layers.dense({ units: 5, activation: 'softmax', name: 'probs' }), v);
  const model = tf.model({ inputs: input, outputs: v, name: 'zoo' });
  seededWeights(model, 7);
  return model;
}

function opsOf(bytes: Uint8Array): string[] {
  return onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType as string);
}

describeBackbone('every converted layer kind in one model (odd windows, shared layers, a sub-model applied twice)', async () => {
  const model = layerZoo();
  return { model, reference: model, input: await realImages(3, UNIT), outputShape: [5], dispose: () => model.dispose() };
});

describeBackbone('the same model cut at a 4-D map (outputLayer, answer transposed back to NHWC)', async () => {
  const model = layerZoo();
  const reference = tf.model({ inputs: model.inputs, outputs: model.getLayer('crop').output as tf.SymbolicTensor });
  return {
    model,
    reference,
    input: await realImages(2, UNIT),
    options: { outputLayer: 'crop' },
    outputShape: [4, 4, 24],
    dispose: () => model.dispose(),
  };
});

describe('conversion choices', () => {
  beforeAll(useWasmBackend);

  it('folds batch norm into the Conv/Gemm before it and zero padding into the Conv after it; a batch norm after an Add becomes Mul/Add', () => {
    const model = layerZoo();
    const graph = onnx.ModelProto.decode(convertOrThrow(model).onnx).graph!;
    const ops = graph.node!.map((n) => n.opType as string);
    const constants = graph.initializer!.map((t) => t.name as string);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops).not.toContain('Identity');
    expect(ops).not.toContain('Pad');
    // stem, depthwise, separable (2), padded, dilated, the sub-model's conv twice, the shared pointwise twice.
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(10);
    expect(ops.filter((o) => o === 'Clip')).toHaveLength(1);
    expect(opsOf(convertOrThrow(model, { portableRelu6: true }).onnx)).not.toContain('Clip');
    expect(constants.filter((n) => /^(dw_bn|sub_bn|fc1_bn)/.test(n))).toEqual([]);
    expect(constants).toEqual(expect.arrayContaining(['bn_after_add_scale', 'bn_after_add_shift']));
    const padded = graph.node!.find((n) => n.output![0] === 'padded_conv')!;
    const pads = padded.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number);
    expect(pads).toEqual([1, 1, 2, 1]);
    model.dispose();
  });

  it.each([
    {
      size: [9, 9],
      padding: [
        [1, 1],
        [1, 1],
      ],
      pool: 3,
      strides: 2,
      same: false,
    },
    {
      size: [8, 7],
      padding: [
        [0, 2],
        [1, 0],
      ],
      pool: 3,
      strides: 2,
      same: false,
    },
    {
      size: [10, 10],
      padding: [
        [2, 1],
        [1, 2],
      ],
      pool: 3,
      strides: 1,
      same: false,
    },
    {
      size: [7, 9],
      padding: [
        [1, 0],
        [0, 1],
      ],
      pool: 2,
      strides: 2,
      same: true,
    },
    {
      size: [6, 6],
      padding: [
        [1, 1],
        [1, 1],
      ],
      pool: 4,
      strides: 3,
      same: true,
    },
  ])('zero padding then max pool on signed input ($size, pads $padding, pool $pool / $strides, same: $same) is exact', async (c) => {
    const input = tf.input({ shape: [...c.size, 2] });
    const padded = call(tf.layers.zeroPadding2d({ padding: c.padding as [[number, number], [number, number]] }), input);
    const model = tf.model({
      inputs: input,
      outputs: call(tf.layers.maxPooling2d({ poolSize: c.pool, strides: c.strides, padding: c.same ? 'same' : 'valid' }), padded),
    });
    const converted = convertOrThrow(model);
    // ONNX pools ignore padded cells; the zero band comes back through a Max, never as a Pad that ONNX Runtime would fuse.
    expect(opsOf(converted.onnx)).toEqual(['Transpose', 'MaxPool', 'Max', 'Transpose']);
    const x = tf.randomNormal([2, c.size[0]!, c.size[1]!, 2], -0.5, 1, 'float32', 3) as tf.Tensor4D;
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    expect(maxAbsDiff((await runOnnx(converted, x)).data, expected)).toBe(0);
    tf.dispose(x);
    model.dispose();
  });

  it('a max pool over zero-padded ReLU output takes the padding as plain pads (zeros never win there)', () => {
    const input = tf.input({ shape: [9, 9, 2] });
    const relu = call(tf.layers.activation({ activation: 'relu' }), input);
    const model = tf.model({
      inputs: input,
      outputs: call(tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }), call(tf.layers.zeroPadding2d({ padding: 1 }), relu)),
    });
    expect(opsOf(convertOrThrow(model).onnx)).toEqual(['Relu', 'Transpose', 'MaxPool', 'Transpose']);
    model.dispose();
  });

  it("writes the same bytes for the same model (cacheable), and leaves the model's weights untouched", () => {
    const model = layerZoo();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const first = convertOrThrow(model).onnx;
    expect(Buffer.from(convertOrThrow(model).onnx).equals(Buffer.from(first))).toBe(true);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });

  it('pads like TensorFlow: an odd total goes to the bottom/right', () => {
    expect(samePadding(224, 3, 2)).toEqual([0, 1]);
    expect(samePadding(225, 3, 2)).toEqual([1, 1]);
    expect(samePadding(7, 3, 1)).toEqual([1, 1]);
    expect(samePadding(10, 3, 1, 2)).toEqual([2, 2]);
    expect(samePadding(10, 2, 2)).toEqual([0, 0]);
    expect(samePadding(5, 3, 2)).toEqual([1, 1]);
  });
});

describe('layers the converter cannot express come back as ok: false, naming the layer', () => {
  beforeAll(useWasmBackend);

  const convertOne = (layer: tf.layers.Layer, shape: number[] = [8, 8, 3]): ReturnType<typeof convertLayersModel> => {
    const input = tf.input({ shape });
    const before = call(tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'ok_conv' }), input);
    const model = tf.model({ inputs: input, outputs: call(layer, before) });
    try {
      return convertLayersModel(model);
    } finally {
      model.dispose();
    }
  };

  it('an unknown layer class (UpSampling2D)', () => {
    expect(convertOne(tf.layers.upSampling2d({ size: [2, 2], name: 'upsample' }))).toEqual({
      ok: false,
      layer: 'upsample',
      className: 'UpSampling2D',
      reason: 'no ONNX conversion for UpSampling2D layers',
    });
  });

  it('an activation without a conversion (gelu inside a Conv2D)', () => {
    const result = convertOne(tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'gelu', name: 'gelu_conv' }));
    expect(result).toMatchObject({ ok: false, layer: 'gelu_conv', className: 'Conv2D' });
    expect(!result.ok && result.reason).toContain('gelu');
  });

  it('a Conv2DTranspose deep inside a nested model', () => {
    const inner = tf.sequential({
      name: 'inner',
      layers: [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, inputShape: [8, 8, 4], name: 'deconv' })],
    });
    const input = tf.input({ shape: [8, 8, 3] });
    const model = tf.model({ inputs: input, outputs: call(inner, call(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), input)) });
    expect(convertLayersModel(model)).toMatchObject({ ok: false, layer: 'deconv', className: 'Conv2DTranspose' });
    model.dispose();
  });

  it('batch norm over a non-channel axis', () => {
    expect(convertOne(tf.layers.batchNormalization({ axis: 1, name: 'bn_axis1' }))).toMatchObject({
      ok: false,
      layer: 'bn_axis1',
      className: 'BatchNormalization',
    });
  });

  it('an output layer applied twice (its output is ambiguous)', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'twice' });
    const model = tf.model({ inputs: input, outputs: call(shared, call(shared, input)) });
    expect(convertLayersModel(model, { outputLayer: 'twice' })).toMatchObject({ ok: false, layer: 'twice', className: 'Conv2D' });
    expect(convertLayersModel(model)).toMatchObject({ ok: true });
    model.dispose();
  });

  it('an output layer that does not exist, and a model without a fixed image input', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const model = tf.model({ inputs: input, outputs: call(tf.layers.conv2d({ filters: 2, kernelSize: 3 }), input), name: 'tiny' });
    expect(convertLayersModel(model, { outputLayer: 'nope' })).toMatchObject({
      ok: false,
      layer: 'nope',
      reason: 'no layer named nope in model tiny',
    });
    model.dispose();
    const free = tf.input({ shape: [null, null, 3] });
    const freeModel = tf.model({
      inputs: free,
      outputs: call(tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }), free),
      name: 'any_size',
    });
    expect(convertLayersModel(freeModel)).toMatchObject({ ok: false, layer: 'any_size' });
    freeModel.dispose();
  });
});
