import * as tf from '@tensorflow/tfjs';
import { convGeometry, paddedInput, spreadOutputGradient, type ConvGeometry, type Pad, type Rounding } from './conv-geometry';
import { twoInputOpsKernel } from './kernel-bridge';

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: Rounding;
}
type Conv2DFilterAttrs = Conv2DAttrs & { filterShape: [number, number, number, number] };
type Conv2DInputAttrs = Conv2DAttrs & { inputShape: [number, number, number, number] };

/**
 * dW[i,j,c,o] = Σ x[n, y·s+i, x·s+j, c] · dy[n,y,x,o] is itself a convolution: of the input with
 * batch and channels swapped ([Ci, H, W, N]) by the output gradient used as a filter
 * ([Ho, Wo, N, Co], dilated by the forward stride). XNNPACK then walks the input through its
 * indirection buffer, so no im2col copy of the input is ever built (that copy cost more than the
 * matmul on the recipe's second conv layer).
 */
export function conv2DBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DFilterAttrs): tf.Tensor4D {
  const g = convGeometry(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, attrs.dataFormat);
  const channelsAsBatch = tf.transpose(paddedInput(x, g), [3, 1, 2, 0]) as tf.Tensor4D;
  const gradientAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const perChannel = tf.conv2d(channelsAsBatch, gradientAsFilter, 1, 'valid', 'NHWC', [g.strideHeight, g.strideWidth]);
  return tf.transpose(perChannel, [1, 2, 0, 3]);
}

/**
 * dx as a stride-1 correlation of the spread output gradient with the rotated, transposed filter.
 * conv2dTranspose passes its input as dy unchecked, so dy may be larger than the output grid the
 * geometry implies (TF.js' "input=8x8x8, output=4x4x8" case); the cpu kernel then reads only the
 * grid's top-left corner of dy, and so does this.
 */
export function conv2DBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DInputAttrs): tf.Tensor4D {
  const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, attrs.dataFormat);
  const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(spreadOutputGradient(outputGrid(dy, g), g), rotated, 1, 'valid');
}

function outputGrid(dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  if (h < g.outHeight || w < g.outWidth) {
    throw new Error(
      `Conv2DBackpropInput: dy is ${h}x${w}, smaller than the ${g.outHeight}x${g.outWidth} output of a ${g.inHeight}x${g.inWidth} input`,
    );
  }
  return h === g.outHeight && w === g.outWidth ? dy : tf.slice(dy, [0, 0, 0, 0], [n, g.outHeight, g.outWidth, c]);
}

export const conv2DBackpropFilterKernel = twoInputOpsKernel(tf.Conv2DBackpropFilter, ['x', 'dy'], conv2DBackpropFilter);
export const conv2DBackpropInputKernel = twoInputOpsKernel(tf.Conv2DBackpropInput, ['dy', 'filter'], conv2DBackpropInput);
