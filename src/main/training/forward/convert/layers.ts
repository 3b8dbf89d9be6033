import type * as tf from '@tensorflow/tfjs';
import type { Graph, Value } from './graph';
import { pads2d } from './keras-padding';

/** One TF.js layer application: its graph, the layer, and the TF.js shape of what it outputs. */
export interface LayerCall {
  g: Graph;
  layer: tf.layers.Layer;
  outShape: (number | null)[];
}

/** Thrown by an emitter for a configuration it cannot express; the caller names the layer. */
export class CannotExpress extends Error {}

type Emitter = (call: LayerCall, inputs: Value[]) => Value;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- layer configs are loosely typed serialisations
type Config = Record<string, any>;

const config = (layer: tf.layers.Layer): Config => layer.getConfig() as Config;

/** Copies of the layer's weights in the order tfjs creates them (names get `_1` suffixes, order does not). */
function weights(layer: tf.layers.Layer): { shape: number[]; data: Float32Array }[] {
  return layer.getWeights().map((w) => ({ shape: w.shape, data: new Float32Array(w.dataSync() as Float32Array) }));
}

function pair(v: number | number[] | null | undefined, fallback: [number, number]): [number, number] {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'number') return [v, v];
  return [v[0] as number, (v[1] ?? v[0]) as number];
}

function requireChannelsLast(cfg: Config): void {
  if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast')
    throw new CannotExpress(`data format ${cfg.dataFormat} (only channelsLast is converted)`);
}

function spatialSize(x: Value): [number, number] {
  const [, h, w] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number')
    throw new CannotExpress("the input size is not fixed, so TensorFlow's padding cannot be written out");
  return [h, w];
}

function out(call: LayerCall, name: string, layout: Value['layout']): Value {
  return { name, shape: call.outShape, layout };
}

function unary(call: LayerCall, x: Value, op: string, attrs: Parameters<Graph['node']>[3] = {}, suffix = ''): Value {
  return { name: call.g.node(op, [x.name], `${call.layer.name}${suffix}`, attrs), shape: x.shape, layout: x.layout };
}

/** A Keras activation by its serialised name, applied to x (same shape). */
export function activation(call: LayerCall, x: Value, name: string | null | undefined, suffix = ''): Value {
  const g = call.g;
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return unary(call, x, 'Relu', {}, suffix);
    case 'relu6':
      return clip(call, x, 0, 6, suffix);
    case 'sigmoid':
      return unary(call, x, 'Sigmoid', {}, suffix);
    case 'tanh':
      return unary(call, x, 'Tanh', {}, suffix);
    case 'softmax':
      return unary(call, x, 'Softmax', { axis: { int: g.axis(x, -1) } }, suffix);
    case 'elu':
      return unary(call, x, 'Elu', { alpha: { float: 1 } }, suffix);
    case 'selu':
      return unary(call, x, 'Selu', {}, suffix);
    case 'softplus':
      return unary(call, x, 'Softplus', {}, suffix);
    case 'softsign':
      return unary(call, x, 'Softsign', {}, suffix);
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return unary(call, x, 'HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } }, suffix);
    case 'swish': {
      const s = unary(call, x, 'Sigmoid', {}, `${suffix}_sigmoid`);
      return { name: g.node('Mul', [x.name, s.name], `${call.layer.name}${suffix}`), shape: x.shape, layout: x.layout };
    }
    default:
      throw new CannotExpress(`activation ${name} has no ONNX conversion here`);
  }
}

function clip(call: LayerCall, x: Value, min: number, max: number, suffix = ''): Value {
  const g = call.g;
  if (g.portableClip && min === 0) {
    // OpenCV 4.6 reads only the attribute form of Clip (opset < 11): min(relu(x), hi) = hi - relu(hi - relu(x)),
    // exact for relu(x) >= hi / 2 and within half an ulp of hi below.
    const hi = g.scalar(`${call.layer.name}_max`, max);
    const r = g.node('Relu', [x.name], `${call.layer.name}${suffix}_relu`);
    const a = g.node('Sub', [hi, r], `${call.layer.name}${suffix}_headroom`);
    const b = g.node('Relu', [a], `${call.layer.name}${suffix}_headroom_relu`);
    return { name: g.node('Sub', [hi, b], `${call.layer.name}${suffix}`), shape: x.shape, layout: x.layout };
  }
  // Opset 13's Clip takes its bounds as inputs, not attributes.
  const name = g.node(
    'Clip',
    [x.name, g.scalar(`${call.layer.name}_min`, min), g.scalar(`${call.layer.name}_max`, max)],
    `${call.layer.name}${suffix}`,
  );
  return { name, shape: x.shape, layout: x.layout };
}

function only(inputs: Value[]): Value {
  if (inputs.length !== 1) throw new CannotExpress(`expects one input, got ${inputs.length}`);
  return inputs[0] as Value;
}

/** [kh, kw, cin, cout] (TF.js) → [cout, cin, kh, kw] (ONNX). */
function convKernel(k: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
  const data = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) data[((o * cin + i) * kh + y) * kw + x] = k.data[((y * kw + x) * cin + i) * cout + o] as number;
  return { dims: [cout, cin, kh, kw], data };
}

/** Depthwise [kh, kw, cin, m] → grouped [cin * m, 1, kh, kw]; TF's output channel c * m + j is ONNX group c's j-th. */
function depthwiseKernel(k: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, m] = k.shape as [number, number, number, number];
  const data = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++)
        for (let j = 0; j < m; j++) data[((c * m + j) * kh + y) * kw + x] = k.data[((y * kw + x) * cin + c) * m + j] as number;
  return { dims: [cin * m, 1, kh, kw], data };
}

interface ConvSpec {
  kernel: { dims: number[]; data: Float32Array };
  bias: Float32Array | null;
  strides: [number, number];
  dilations: [number, number];
  padding: string;
  group: number;
  suffix?: string;
}

function conv(call: LayerCall, input: Value, spec: ConvSpec): Value {
  const g = call.g;
  const x = g.toNchw(input);
  const kernelShape: [number, number] = [spec.kernel.dims[2] as number, spec.kernel.dims[3] as number];
  const pads = spec.padding === 'valid' ? [0, 0, 0, 0] : pads2d(spec.padding, spatialSize(x), kernelShape, spec.strides, spec.dilations);
  if (!pads) throw new CannotExpress(`padding '${spec.padding}' has no ONNX conversion here`);
  const base = `${call.layer.name}${spec.suffix ?? ''}`;
  const inputs = [x.name, g.constant(`${base}_W`, spec.kernel.dims, spec.kernel.data)];
  if (spec.bias) inputs.push(g.constant(`${base}_B`, [spec.bias.length], spec.bias));
  const name = g.node('Conv', inputs, base, {
    kernel_shape: { ints: kernelShape },
    strides: { ints: spec.strides },
    dilations: { ints: spec.dilations },
    pads: { ints: pads },
    group: { int: spec.group },
  });
  return { name, shape: call.outShape, layout: 'nchw' };
}

const conv2d: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  requireChannelsLast(cfg);
  const w = weights(call.layer);
  const y = conv(call, only(inputs), {
    kernel: convKernel(w[0]!),
    bias: cfg.useBias ? w[1]!.data : null,
    strides: pair(cfg.strides, [1, 1]),
    dilations: pair(cfg.dilationRate, [1, 1]),
    padding: cfg.padding,
    group: 1,
  });
  return activation(call, y, cfg.activation, '_act');
};

const depthwiseConv2d: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  requireChannelsLast(cfg);
  const w = weights(call.layer);
  const kernel = depthwiseKernel(w[0]!);
  const y = conv(call, only(inputs), {
    kernel,
    bias: cfg.useBias ? w[1]!.data : null,
    strides: pair(cfg.strides, [1, 1]),
    dilations: pair(cfg.dilationRate, [1, 1]),
    padding: cfg.padding,
    group: w[0]!.shape[2] as number,
  });
  return activation(call, y, cfg.activation, '_act');
};

const separableConv2d: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  requireChannelsLast(cfg);
  const w = weights(call.layer);
  const depthwise = depthwiseKernel(w[0]!);
  const dw = conv(call, only(inputs), {
    kernel: depthwise,
    bias: null,
    strides: pair(cfg.strides, [1, 1]),
    dilations: pair(cfg.dilationRate, [1, 1]),
    padding: cfg.padding,
    group: w[0]!.shape[2] as number,
    suffix: '_depthwise',
  });
  const y = conv(call, dw, {
    kernel: convKernel(w[1]!),
    bias: cfg.useBias ? w[2]!.data : null,
    strides: [1, 1],
    dilations: [1, 1],
    padding: 'valid',
    group: 1,
  });
  return activation(call, y, cfg.activation, '_act');
};

const dense: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  const g = call.g;
  const w = weights(call.layer);
  const kernel = w[0]!;
  const units = kernel.shape[1] as number;
  const bias = cfg.useBias ? w[1]!.data : new Float32Array(units);
  const x = g.toTf(only(inputs));
  let y: Value;
  if (x.shape.length === 2) {
    // Gemm with B as [out, in] and transB = 1 (the form OpenCV 4.6 reads; batch-norm folding scales rows).
    const inputs = kernel.shape[0] as number;
    const transposed = new Float32Array(kernel.data.length);
    for (let i = 0; i < inputs; i++) for (let o = 0; o < units; o++) transposed[o * inputs + i] = kernel.data[i * units + o] as number;
    const weightsName = g.constant(`${call.layer.name}_W`, [units, inputs], transposed);
    const name = g.node('Gemm', [x.name, weightsName, g.constant(`${call.layer.name}_B`, [units], bias)], call.layer.name, {
      transB: { int: 1 },
    });
    y = out(call, name, 'tf');
  } else {
    // Dense on a map applies to the last (channel) axis in TF.js's layout.
    const product = g.node('MatMul', [x.name, g.constant(`${call.layer.name}_W`, kernel.shape, kernel.data)], `${call.layer.name}_matmul`);
    y = out(call, g.node('Add', [product, g.constant(`${call.layer.name}_B`, [units], bias)], call.layer.name), 'tf');
  }
  return activation(call, y, cfg.activation, '_act');
};

const batchNormalization: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  const x = only(inputs);
  const rank = x.shape.length;
  const axis = cfg.axis < 0 ? cfg.axis + rank : cfg.axis;
  if (axis !== rank - 1) throw new CannotExpress(`normalises axis ${cfg.axis}, not the channel axis`);
  const w = weights(call.layer);
  // tfjs creates gamma (if scale), beta (if center), moving mean, moving variance, in that order.
  const gamma = cfg.scale ? w[0]!.data : null;
  const beta = cfg.center ? w[cfg.scale ? 1 : 0]!.data : null;
  const [mean, variance] = w.slice(-2).map((v) => v.data) as [Float32Array, Float32Array];
  const channels = mean.length;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? (gamma[c] as number) : 1) / Math.sqrt((variance[c] as number) + cfg.epsilon);
    shift[c] = (beta ? (beta[c] as number) : 0) - (mean[c] as number) * (scale[c] as number);
  }
  const name = call.g.node('BatchNormAffine', [x.name], call.layer.name, {}, { kind: 'affine', scale, shift, layout: x.layout, rank });
  return out(call, name, x.layout);
};

const reLU: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  const x = only(inputs);
  if (cfg.maxValue === null || cfg.maxValue === undefined) return unary(call, x, 'Relu');
  return clip(call, x, 0, cfg.maxValue);
};

const activationLayer: Emitter = (call, inputs) => activation(call, only(inputs), config(call.layer).activation);

const leakyReLU: Emitter = (call, inputs) => unary(call, only(inputs), 'LeakyRelu', { alpha: { float: config(call.layer).alpha ?? 0.3 } });
const elu: Emitter = (call, inputs) => unary(call, only(inputs), 'Elu', { alpha: { float: config(call.layer).alpha ?? 1 } });
const thresholdedReLU: Emitter = (call, inputs) =>
  unary(call, only(inputs), 'ThresholdedRelu', { alpha: { float: config(call.layer).theta ?? 1 } });

const softmax: Emitter = (call, inputs) => {
  const x = only(inputs);
  const axis = config(call.layer).axis;
  if (typeof axis !== 'number') throw new CannotExpress(`softmax over axes ${JSON.stringify(axis)}`);
  return unary(call, x, 'Softmax', { axis: { int: call.g.axis(x, axis) } });
};

function pooling(op: 'MaxPool' | 'AveragePool'): Emitter {
  return (call, inputs) => {
    const cfg = config(call.layer);
    requireChannelsLast(cfg);
    const x = call.g.toNchw(only(inputs));
    const kernel = pair(cfg.poolSize, [2, 2]);
    const strides = pair(cfg.strides, kernel);
    const pads = pads2d(cfg.padding, spatialSize(x), kernel, strides);
    if (!pads) throw new CannotExpress(`padding '${cfg.padding}' has no ONNX conversion here`);
    // TF's 'same' average leaves padded cells out of the mean, as ONNX does with count_include_pad = 0.
    const attrs: Parameters<Graph['node']>[3] = { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: pads } };
    return out(call, call.g.node(op, [x.name], call.layer.name, attrs), 'nchw');
  };
}

function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Emitter {
  return (call, inputs) => {
    const cfg = config(call.layer);
    requireChannelsLast(cfg);
    const g = call.g;
    const x = g.toNchw(only(inputs));
    if (x.shape.length !== 4) throw new CannotExpress(`expects a 4-D input, got rank ${x.shape.length}`);
    const pooled = g.node(op, [x.name], `${call.layer.name}_pool`);
    if (call.outShape.length === 4) return out(call, pooled, 'nchw');
    return out(call, g.node('Flatten', [pooled], call.layer.name, { axis: { int: 1 } }), 'tf');
  };
}

const flatten: Emitter = (call, inputs) => {
  const g = call.g;
  let x = only(inputs);
  if (x.shape.length === 2) return { ...x, shape: call.outShape };
  // TF.js flattens in NHWC order; a 1x1 map reads the same in either layout.
  const [, h, w] = x.shape;
  if (x.layout === 'nchw' && !(h === 1 && w === 1)) x = g.toTf(x);
  return out(call, g.node('Flatten', [x.name], call.layer.name, { axis: { int: 1 } }), 'tf');
};

const reshape: Emitter = (call, inputs) => {
  const g = call.g;
  const x = g.toTf(only(inputs));
  const target = call.outShape.slice(1);
  if (target.some((d) => d === null)) throw new CannotExpress('the target shape is not fixed');
  if (JSON.stringify(target) === JSON.stringify(x.shape.slice(1))) return { ...x, shape: call.outShape };
  const shape = g.int64Constant(`${call.layer.name}_shape`, [-1, ...(target as number[])]);
  return out(call, g.node('Reshape', [x.name, shape], call.layer.name), 'tf');
};

const zeroPadding2d: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  requireChannelsLast(cfg);
  const x = call.g.toNchw(only(inputs));
  const [[top, bottom], [left, right]] = cfg.padding as [[number, number], [number, number]];
  const name = call.g.node(
    'ZeroPad',
    [x.name],
    call.layer.name,
    {},
    { kind: 'zero-pad', pads: [top, left, bottom, right], size: spatialSize(x) },
  );
  return out(call, name, 'nchw');
};

const cropping2d: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  requireChannelsLast(cfg);
  const g = call.g;
  const x = g.toNchw(only(inputs));
  const [h, w] = spatialSize(x);
  const [[top, bottom], [left, right]] = cfg.cropping as [[number, number], [number, number]];
  const starts = g.int64Constant(`${call.layer.name}_starts`, [top, left]);
  const ends = g.int64Constant(`${call.layer.name}_ends`, [h - bottom, w - right]);
  const axes = g.int64Constant(`${call.layer.name}_axes`, [2, 3]);
  return out(call, g.node('Slice', [x.name, starts, ends, axes], call.layer.name), 'nchw');
};

/** Inputs of a merge in one layout: NCHW if any 4-D input already is. */
function sameLayout(g: Graph, inputs: Value[]): Value[] {
  const ranks = new Set(inputs.map((v) => v.shape.length));
  if (ranks.size !== 1) throw new CannotExpress(`merges inputs of ranks ${[...ranks].join(', ')}`);
  return inputs.some((v) => v.layout === 'nchw') ? inputs.map((v) => g.toNchw(v)) : inputs;
}

function elementwise(op: 'Add' | 'Mul' | 'Max' | 'Min' | 'Mean'): Emitter {
  return (call, inputs) => {
    const g = call.g;
    const xs = sameLayout(g, inputs);
    if (xs.length < 2) throw new CannotExpress(`merges ${xs.length} input`);
    const binary = op === 'Mean' ? 'Add' : op;
    // Pairwise nodes rather than variadic Sum/Max: every reader (OpenCV included) knows the binary forms.
    let acc = xs[0]!.name;
    xs.slice(1).forEach((x, i) => {
      const last = i === xs.length - 2 && op !== 'Mean';
      acc = g.node(binary, [acc, x.name], last ? call.layer.name : `${call.layer.name}_${i + 1}`);
    });
    if (op === 'Mean') acc = g.node('Div', [acc, g.scalar(`${call.layer.name}_count`, xs.length)], call.layer.name);
    return out(call, acc, xs[0]!.layout);
  };
}

const concatenate: Emitter = (call, inputs) => {
  const g = call.g;
  const xs = sameLayout(g, inputs);
  const axis = g.axis(xs[0]!, config(call.layer).axis ?? -1);
  return out(
    call,
    g.node(
      'Concat',
      xs.map((x) => x.name),
      call.layer.name,
      { axis: { int: axis } },
    ),
    xs[0]!.layout,
  );
};

const rescaling: Emitter = (call, inputs) => {
  const cfg = config(call.layer);
  const g = call.g;
  const x = only(inputs);
  if (typeof cfg.scale !== 'number' || typeof (cfg.offset ?? 0) !== 'number') throw new CannotExpress('per-channel scale or offset');
  let name = x.name;
  if (cfg.scale !== 1) name = g.node('Mul', [name, g.scalar(`${call.layer.name}_scale`, cfg.scale)], `${call.layer.name}_scaled`);
  if ((cfg.offset ?? 0) !== 0) name = g.node('Add', [name, g.scalar(`${call.layer.name}_offset`, cfg.offset)], call.layer.name);
  return { name, shape: call.outShape, layout: x.layout };
};

/** Inference-time no-ops: the output is the input, so no node (and no Identity) is written. */
const passThrough: Emitter = (call, inputs) => ({ ...only(inputs), shape: call.outShape });

export const EMITTERS: Record<string, Emitter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  ReLU: reLU,
  Activation: activationLayer,
  LeakyReLU: leakyReLU,
  ELU: elu,
  ThresholdedReLU: thresholdedReLU,
  Softmax: softmax,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPooling('GlobalMaxPool'),
  Flatten: flatten,
  Reshape: reshape,
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Average: elementwise('Mean'),
  Concatenate: concatenate,
  Rescaling: rescaling,
  Dropout: passThrough,
  SpatialDropout1D: passThrough,
  GaussianNoise: passThrough,
  GaussianDropout: passThrough,
  AlphaDropout: passThrough,
};
