import * as tf from '@tensorflow/tfjs';
import {
  convGeometry,
  padOrCrop4d,
  paddedInput,
  spreadOutputGradient,
  tapWindow,
  type ConvGeometry,
  type Pad,
  type Rounding,
} from './conv-geometry';
import { runOpsAsKernel } from './kernel-bridge';

/** Largest im2col block built at once; bigger blocks are split by filter taps (bytes). */
const IM2COL_BUDGET_BYTES = 48 * 1024 * 1024;

interface Conv2DFilterAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: Rounding;
  filterShape: [number, number, number, number];
}

interface Conv2DInputAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: Rounding;
  inputShape: [number, number, number, number];
}

/**
 * dW[i,j,c,o] = Σ x[n, y·s+i, x·s+j, c] · dy[n,y,x,o], as ONE plain matmul per block of taps:
 * the input is made channel-major first so each tap's window is already the row-major
 * [inChannels, positions] operand XNNPACK wants, and the rows come out in HWIO order.
 */
export function conv2DBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DFilterAttrs): tf.Tensor4D {
  const g = convGeometry(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, attrs.dataFormat);
  const outChannels = attrs.filterShape[3];
  const taps: Array<[number, number]> = [];
  for (let i = 0; i < g.filterHeight; i++) for (let j = 0; j < g.filterWidth; j++) taps.push([i, j]);
  const operands = g.strideHeight === 1 && g.strideWidth === 1 ? wideOperands(x, dy, g) : stridedOperands(x, dy, g);
  const tapBytes = g.inChannels * operands.positions * 4;
  const tapsPerBlock = Math.max(1, Math.floor(IM2COL_BUDGET_BYTES / tapBytes));
  const blocks: tf.Tensor2D[] = [];
  for (let start = 0; start < taps.length; start += tapsPerBlock) {
    const rows = taps.slice(start, start + tapsPerBlock).map(([i, j]) => operands.tapRows(i, j));
    const columns = rows.length === 1 ? rows[0]! : tf.concat2d(rows, 0);
    blocks.push(tf.matMul(columns, operands.dy));
    rows.forEach((r) => r.dispose());
    if (rows.length > 1) columns.dispose();
  }
  const stacked = blocks.length === 1 ? blocks[0]! : tf.concat2d(blocks, 0);
  return tf.reshape(stacked, [g.filterHeight, g.filterWidth, g.inChannels, outChannels]);
}

interface FilterGradOperands {
  /** Number of (possibly padded) output positions the matmul reduces over. */
  positions: number;
  dy: tf.Tensor2D;
  /** [inChannels, positions]: what tap (i, j) saw at every output position. */
  tapRows(i: number, j: number): tf.Tensor2D;
}

/**
 * Stride 1: each tap's window is ONE contiguous run of the flattened (row-major) padded image if
 * the output is taken "wide" (full padded width). The extra columns are garbage, so the output
 * gradient gets zero columns there and they add nothing. Contiguous runs copy at memcpy speed,
 * where a 4-D window slice copies row by row.
 */
function wideOperands(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): FilterGradOperands {
  const xp = paddedInput(x, g);
  const [, usedHeight, usedWidth] = xp.shape;
  const spill = Math.ceil(((g.filterWidth - 1) * g.dilationWidth) / usedWidth);
  const rowsTotal = usedHeight + spill;
  const xt = tf.reshape(tf.transpose(padOrCrop4d(xp, 0, spill, 0, 0), [3, 0, 1, 2]), [g.inChannels, g.batch, rowsTotal * usedWidth]);
  const run = g.outHeight * usedWidth;
  const positions = g.batch * run;
  const dyWide = tf.reshape(padOrCrop4d(dy, 0, 0, 0, usedWidth - g.outWidth), [positions, dy.shape[3]]) as tf.Tensor2D;
  return {
    positions,
    dy: dyWide,
    tapRows: (i, j) => {
      const offset = i * g.dilationHeight * usedWidth + j * g.dilationWidth;
      return tf.reshape(tf.slice(xt, [0, 0, offset], [g.inChannels, g.batch, run]), [g.inChannels, positions]) as tf.Tensor2D;
    },
  };
}

/** Any stride: the channel-major input is sliced per tap (natively strided for stride > 1). */
function stridedOperands(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): FilterGradOperands {
  const positions = g.batch * g.outHeight * g.outWidth;
  const xt = tf.transpose(paddedInput(x, g), [3, 0, 1, 2]) as tf.Tensor4D;
  return {
    positions,
    dy: tf.reshape(dy, [positions, dy.shape[3]]) as tf.Tensor2D,
    tapRows: (i, j) => tf.reshape(tapWindow(xt, g, i, j, 2), [g.inChannels, positions]) as tf.Tensor2D,
  };
}

/** dx as a stride-1 correlation of the spread output gradient with the rotated, transposed filter. */
export function conv2DBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DInputAttrs): tf.Tensor4D {
  const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, attrs.dataFormat);
  const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(spreadOutputGradient(dy, g), rotated, 1, 'valid');
}

export const conv2DBackpropFilterKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return runOpsAsKernel(backend, [x, dy], (xt, dyt) =>
      conv2DBackpropFilter(xt as tf.Tensor4D, dyt as tf.Tensor4D, attrs as unknown as Conv2DFilterAttrs),
    );
  },
};

export const conv2DBackpropInputKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return runOpsAsKernel(backend, [dy, filter], (dyt, ft) =>
      conv2DBackpropInput(dyt as tf.Tensor4D, ft as tf.Tensor4D, attrs as unknown as Conv2DInputAttrs),
    );
  },
};
