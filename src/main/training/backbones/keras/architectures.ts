import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../worker/preprocess';

/**
 * Keras Applications convolutional bases rebuilt with tfjs layers under the exact Keras layer names,
 * so an .h5 file's weights can be matched layer by layer. Layouts follow keras.applications
 * (include_top=False); where Keras pads explicitly (ZeroPadding2D + 'valid'), we do the same so the
 * numbers match for every input size.
 */
export const ARCH_NAMES = ['vgg16', 'mobilenet_v1', 'mobilenet_v2', 'resnet50', 'vgg-mini'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

export interface ArchOptions {
  inputSize: number;
  /** Width multiplier (MobileNets only). */
  alpha?: number;
  /** ResNet50 files written by Keras <= 2.2.4 use other layer names and batch-norm epsilon 1e-3. */
  legacyResnetNames?: boolean;
}

export interface BuiltArch {
  model: tf.LayersModel;
  /** The layer whose output is the bottleneck feature map. */
  featureLayer: string;
}

export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

export function archPreprocessing(arch: ArchName, inputSize: number): Preprocessing {
  switch (arch) {
    case 'vgg16':
    case 'resnet50':
      return { inputSize, channelOrder: 'bgr', mode: 'caffe', mean: [...CAFFE_MEAN_BGR], resize: 'bilinear' };
    case 'vgg-mini':
      return { inputSize, channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' };
    default:
      return { inputSize, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' };
  }
}

export function buildArchitecture(arch: ArchName, options: ArchOptions): BuiltArch {
  switch (arch) {
    case 'vgg16':
      return vgg(
        options.inputSize,
        [
          [64, 2],
          [128, 2],
          [256, 3],
          [512, 3],
          [512, 3],
        ],
        'vgg16',
      );
    case 'vgg-mini':
      return vgg(
        options.inputSize,
        [
          [4, 1],
          [8, 1],
        ],
        'vgg_mini',
      );
    case 'mobilenet_v1':
      return mobilenetV1(options.inputSize, options.alpha ?? 1);
    case 'mobilenet_v2':
      return mobilenetV2(options.inputSize, options.alpha ?? 1);
    case 'resnet50':
      return resnet50(options.inputSize, options.legacyResnetNames ?? false);
  }
}

/**
 * The layers fine-tuning unfreezes (everything else stays frozen): VGG16 block5, MobileNet v1's
 * last depthwise/pointwise pair, MobileNet v2's block_16 plus Conv_1, ResNet50 stage 5. Layers
 * without weights (activations, pooling, add) are included so the list is the whole block.
 */
export function topBlockLayers(arch: ArchName, model: tf.LayersModel): string[] {
  const prefixes: Record<ArchName, RegExp> = {
    vgg16: /^block5_/,
    'vgg-mini': /^block2_/,
    mobilenet_v1: /^conv_(dw|pw)_13(_|$)/,
    mobilenet_v2: /^(block_16_|Conv_1|out_relu)/,
    resnet50: /^conv5_/,
  };
  const names = model.layers.map((l) => l.name).filter((n) => prefixes[arch].test(n));
  if (names.length === 0) throw new Error(`model ${model.name} has no ${arch} top-block layers`);
  return names;
}

function input(inputSize: number): tf.SymbolicTensor {
  return tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
}

function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

function vgg(inputSize: number, blocks: [number, number][], name: string): BuiltArch {
  const inp = input(inputSize);
  let x = inp;
  blocks.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++) {
      x = apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: `block${b + 1}_conv${c}` }), x);
    }
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }), x);
  });
  const featureLayer = `block${blocks.length}_pool`;
  return { model: tf.model({ inputs: inp, outputs: x, name }), featureLayer };
}

function bn(name: string, epsilon = 1e-3, momentum = 0.99): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon, momentum, name });
}

function relu6(name: string): tf.layers.Layer {
  return tf.layers.reLU({ maxValue: 6, name });
}

function mobilenetV1(inputSize: number, alpha: number): BuiltArch {
  const inp = input(inputSize);
  // Keras 2.0/2.1 (the era of most published v1 .h5 files) used 'same' padding for strided convs.
  let x = apply(
    tf.layers.conv2d({ filters: Math.trunc(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }),
    inp,
  );
  x = apply(bn('conv1_bn'), x);
  x = apply(relu6('conv1_relu'), x);
  const blocks: [number, number][] = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ];
  blocks.forEach(([filters, stride], i) => {
    const id = i + 1;
    x = apply(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: 'same',
        depthMultiplier: 1,
        useBias: false,
        name: `conv_dw_${id}`,
      }),
      x,
    );
    x = apply(bn(`conv_dw_${id}_bn`), x);
    x = apply(relu6(`conv_dw_${id}_relu`), x);
    x = apply(
      tf.layers.conv2d({ filters: Math.trunc(filters * alpha), kernelSize: 1, padding: 'same', useBias: false, name: `conv_pw_${id}` }),
      x,
    );
    x = apply(bn(`conv_pw_${id}_bn`), x);
    x = apply(relu6(`conv_pw_${id}_relu`), x);
  });
  return { model: tf.model({ inputs: inp, outputs: x, name: `mobilenet_${alpha}_${inputSize}` }), featureLayer: 'conv_pw_13_relu' };
}

/** keras.applications.mobilenet_v2._make_divisible. */
export function makeDivisible(v: number, divisor = 8): number {
  let next = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (next < 0.9 * v) next += divisor;
  return next;
}

/** keras.applications.imagenet_utils.correct_pad for a square map of `size` and a 3x3 kernel. */
function correctPad(size: number): [[number, number], [number, number]] {
  const adjust = 1 - (size % 2);
  return [
    [1 - adjust, 1],
    [1 - adjust, 1],
  ];
}

function spatial(x: tf.SymbolicTensor): number {
  return x.shape[1] as number;
}

function mobilenetV2(inputSize: number, alpha: number): BuiltArch {
  const inp = input(inputSize);
  let x = apply(tf.layers.zeroPadding2d({ padding: correctPad(inputSize), name: 'Conv1_pad' }), inp);
  x = apply(
    tf.layers.conv2d({ filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }),
    x,
  );
  x = apply(bn('bn_Conv1', 1e-3, 0.999), x);
  x = apply(relu6('Conv1_relu'), x);
  const blocks: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
    [32, 1, 6],
    [64, 2, 6],
    [64, 1, 6],
    [64, 1, 6],
    [64, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [160, 2, 6],
    [160, 1, 6],
    [160, 1, 6],
    [320, 1, 6],
  ];
  blocks.forEach(([filters, stride, expansion], id) => {
    const inChannels = x.shape[3] as number;
    const pointwise = makeDivisible(Math.trunc(filters * alpha));
    const prefix = id === 0 ? 'expanded_conv_' : `block_${id}_`;
    const blockInput = x;
    if (id > 0) {
      x = apply(
        tf.layers.conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` }),
        x,
      );
      x = apply(bn(`${prefix}expand_BN`, 1e-3, 0.999), x);
      x = apply(relu6(`${prefix}expand_relu`), x);
    }
    if (stride === 2) x = apply(tf.layers.zeroPadding2d({ padding: correctPad(spatial(x)), name: `${prefix}pad` }), x);
    x = apply(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: stride === 1 ? 'same' : 'valid',
        depthMultiplier: 1,
        useBias: false,
        name: `${prefix}depthwise`,
      }),
      x,
    );
    x = apply(bn(`${prefix}depthwise_BN`, 1e-3, 0.999), x);
    x = apply(relu6(`${prefix}depthwise_relu`), x);
    x = apply(tf.layers.conv2d({ filters: pointwise, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }), x);
    x = apply(bn(`${prefix}project_BN`, 1e-3, 0.999), x);
    if (inChannels === pointwise && stride === 1) x = apply(tf.layers.add({ name: `${prefix}add` }), [blockInput, x]);
  });
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = apply(tf.layers.conv2d({ filters: lastFilters, kernelSize: 1, useBias: false, name: 'Conv_1' }), x);
  x = apply(bn('Conv_1_bn', 1e-3, 0.999), x);
  x = apply(relu6('out_relu'), x);
  return { model: tf.model({ inputs: inp, outputs: x, name: `mobilenetv2_${alpha}_${inputSize}` }), featureLayer: 'out_relu' };
}

const RESNET50_STAGES: [number, number][] = [
  [64, 3],
  [128, 4],
  [256, 6],
  [512, 3],
];

function resnet50(inputSize: number, legacy: boolean): BuiltArch {
  const epsilon = legacy ? 1e-3 : 1.001e-5;
  const inp = input(inputSize);
  let x = apply(tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }), inp);
  x = apply(tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, padding: 'valid', name: 'conv1_conv' }), x);
  x = apply(bn('conv1_bn', epsilon), x);
  x = apply(tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = apply(tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);
  RESNET50_STAGES.forEach(([filters, blocks], s) => {
    const stage = s + 2;
    for (let b = 1; b <= blocks; b++) {
      const name = `conv${stage}_block${b}`;
      const stride = b === 1 && stage > 2 ? 2 : 1;
      let shortcut = x;
      if (b === 1) {
        shortcut = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), x);
        shortcut = apply(bn(`${name}_0_bn`, epsilon), shortcut);
      }
      let y = apply(tf.layers.conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
      y = apply(bn(`${name}_1_bn`, epsilon), y);
      y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_1_relu` }), y);
      y = apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }), y);
      y = apply(bn(`${name}_2_bn`, epsilon), y);
      y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_2_relu` }), y);
      y = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), y);
      y = apply(bn(`${name}_3_bn`, epsilon), y);
      y = apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
      x = apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), y);
    }
  });
  return { model: tf.model({ inputs: inp, outputs: x, name: 'resnet50' }), featureLayer: 'conv5_block3_out' };
}

/**
 * Keras <= 2.2.4 ResNet50 names (res2a_branch2a, bn2a_branch2a, conv1, bn_conv1) → the names of
 * keras.applications.resnet (conv2_block1_1_conv ...), which the model above uses.
 */
export function modernResnetName(legacyName: string): string {
  if (legacyName === 'conv1') return 'conv1_conv';
  if (legacyName === 'bn_conv1') return 'conv1_bn';
  const m = /^(res|bn)(\d)([a-z])_branch(1|2a|2b|2c)$/.exec(legacyName);
  if (!m) return legacyName;
  const [, kind, stage, letter, branch] = m as unknown as [string, string, string, string, string];
  const block = letter.charCodeAt(0) - 96;
  const index = { '1': 0, '2a': 1, '2b': 2, '2c': 3 }[branch];
  return `conv${stage}_block${block}_${index}_${kind === 'res' ? 'conv' : 'bn'}`;
}
