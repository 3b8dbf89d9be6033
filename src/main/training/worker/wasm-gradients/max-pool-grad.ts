import * as tf from '@tensorflow/tfjs';
import { padOrCrop4d } from './conv-geometry';
import { runOpsAsKernel } from './kernel-bridge';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Non-overlapping windows (stride = window, the recipe's 2x2/2), 'valid' or 'same'. Others keep the stock kernel. */
export function isTiledPool(attrs: MaxPoolGradAttrs): boolean {
  const [fh, fw] = pair(attrs.filterSize);
  const [sh, sw] = pair(attrs.strides);
  return sh === fh && sw === fw && fh * fw >= 2 && (attrs.pad === 'valid' || attrs.pad === 'same');
}

/**
 * dx for tiled max pooling: each window's gradient goes to its FIRST maximum in row-major order,
 * as on the cpu backend. The windows are moved innermost with one native transpose, argMax picks
 * the first maximum, a one-hot mask times dy fills the window, and a transpose puts it back. The
 * stock wasm kernel is a scalar loop about three times slower on the recipe's first pooling.
 */
export function tiledMaxPoolGrad(dy: tf.Tensor4D, x: tf.Tensor4D, attrs: MaxPoolGradAttrs): tf.Tensor4D {
  const [fh, fw] = pair(attrs.filterSize);
  const info = tf.backend_util.computePool2DInfo(x.shape, [fh, fw], [fh, fw], 1, attrs.pad, attrs.dimRoundingMode);
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = dy.shape;
  const { top, left } = info.padInfo;
  const bottom = ho * fh - h - top;
  const right = wo * fw - w - left;
  // Padding never wins a window ('same' windows always hold a real pixel); rows 'valid' skips are cropped.
  let tiled: tf.Tensor4D = x;
  if (top > 0 || left > 0 || bottom > 0 || right > 0) {
    tiled = tf.pad(tiled, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]], -Infinity);
  }
  if (bottom < 0 || right < 0) tiled = tf.slice(tiled, [0, 0, 0, 0], [n, ho * fh, wo * fw, c]);
  const windows = tf.transpose(tf.reshape(tiled, [n, ho, fh, wo, fw, c]), [0, 1, 3, 5, 2, 4]);
  const first = tf.argMax(tf.reshape(windows, [n, ho, wo, c, fh * fw]), 4);
  // int32 one-hot then cast: wasm's oneHot writes wrong values when asked for float32 directly.
  const spread = tf.mul(tf.cast(tf.oneHot(first, fh * fw), 'float32'), tf.expandDims(dy, 4));
  const dx = tf.reshape(tf.transpose(tf.reshape(spread, [n, ho, wo, c, fh, fw]), [0, 1, 4, 2, 5, 3]), [n, ho * fh, wo * fw, c]) as tf.Tensor4D;
  return padOrCrop4d(dx, -top, -bottom, -left, -right);
}

export function tiledMaxPoolGradKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.MaxPoolGrad,
    backendName: 'wasm',
    // The stock kernel binds its wasm function at backend start-up; it must still get that call.
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const attrs = args.attrs as unknown as MaxPoolGradAttrs;
      if (!isTiledPool(attrs)) return fallback.kernelFunc(args) as tf.TensorInfo;
      return runOpsAsKernel(args.backend, [dy, input], (d, x) => tiledMaxPoolGrad(d as tf.Tensor4D, x as tf.Tensor4D, attrs));
    },
  };
}
