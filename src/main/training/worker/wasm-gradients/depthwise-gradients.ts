import * as tf from '@tensorflow/tfjs';
import { convGeometry, paddedInput, spreadOutputGradient, tapWindow, type Pad, type Rounding } from './conv-geometry';
import { twoInputOpsKernel } from './kernel-bridge';

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: Rounding;
}
type DepthwiseFilterAttrs = DepthwiseAttrs & { filterShape: [number, number, number, number] };
type DepthwiseInputAttrs = DepthwiseAttrs & { inputShape: [number, number, number, number] };

/** dW[i,j,c,q] = Σ x[n, y·s+i·d, x·s+j·d, c] · dy[n,y,x,c·m+q]: one multiply-and-reduce per tap. */
export function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: DepthwiseFilterAttrs): tf.Tensor4D {
  const g = convGeometry(x.shape, attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true, 'NHWC');
  const multiplier = attrs.filterShape[3];
  const positions = g.batch * g.outHeight * g.outWidth;
  const xp = paddedInput(x, g);
  const dyGrouped = tf.reshape(dy, [positions, g.inChannels, multiplier]);
  const perTap: tf.Tensor[] = [];
  for (let i = 0; i < g.filterHeight; i++) {
    for (let j = 0; j < g.filterWidth; j++) {
      const window = tf.reshape(tapWindow(xp, g, i, j, 1), [positions, g.inChannels, 1]);
      perTap.push(tf.sum(tf.mul(window, dyGrouped), 0));
    }
  }
  return tf.reshape(tf.stack(perTap), attrs.filterShape);
}

/** dx: a stride-1 depthwise correlation of the spread output gradient with the rotated filter. */
export function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: DepthwiseInputAttrs): tf.Tensor4D {
  const g = convGeometry(attrs.inputShape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true, 'NHWC');
  const [fh, fw, inChannels, multiplier] = filter.shape;
  const rotated = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, inChannels * multiplier, 1]) as tf.Tensor4D;
  const perOutputChannel = tf.depthwiseConv2d(spreadOutputGradient(dy, g), rotated, 1, 'valid', 'NHWC', [
    g.dilationHeight,
    g.dilationWidth,
  ]);
  if (multiplier === 1) return perOutputChannel;
  const [n, h, w] = perOutputChannel.shape;
  return tf.sum(tf.reshape(perOutputChannel, [n, h, w, inChannels, multiplier]), 4);
}

export const depthwiseBackpropFilterKernel = twoInputOpsKernel(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ['x', 'dy'],
  depthwiseBackpropFilter,
);
export const depthwiseBackpropInputKernel = twoInputOpsKernel(
  tf.DepthwiseConv2dNativeBackpropInput,
  ['dy', 'filter'],
  depthwiseBackpropInput,
);
