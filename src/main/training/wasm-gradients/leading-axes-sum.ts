import * as tf from '@tensorflow/tfjs';
import { runOpsAsKernel } from './kernel-bridge';

/** Below this many summed rows the stock kernel is as fast and the matmul is not worth it. */
const MIN_ROWS_FOR_MATMUL = 1024;

/**
 * Bias gradients sum an NHWC gradient over its leading axes. The stock wasm Sum transposes the
 * reduced axes innermost first (a full copy of a large tensor); a [1, rows] x [rows, rest] matmul
 * reads it once. Every other reduction goes to the kernel this one replaced.
 */
export function leadingAxesSumKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    // The stock kernel binds its wasm function at backend start-up; it must still get that call.
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.every((a, k) => a === k) && axes.length > 0 && axes.length < x.shape.length;
      const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
      if (x.dtype !== 'float32' || !leading || rows < MIN_ROWS_FOR_MATMUL) {
        return fallback.kernelFunc(args) as tf.TensorInfo;
      }
      const rest = x.shape.slice(axes.length);
      const outShape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
      return runOpsAsKernel(args.backend, [x], (xt) =>
        tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(xt, [rows, tf.util.sizeFromShape(rest)])), outShape),
      );
    },
  };
}
