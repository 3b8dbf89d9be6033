import * as tf from '@tensorflow/tfjs';
import { runOpsAsKernel } from './kernel-bridge';

/**
 * The stock wasm BatchMatMul takes a slow scalar path for transposed operands, which every dense
 * layer's gradient uses (dW = xᵀ·dy, dx = dy·Wᵀ): an explicit transpose first and the plain
 * XNNPACK path after are ~3x faster. Untransposed products go straight to the stock kernel.
 */
export function transposedMatMulKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    // The stock kernel binds its wasm function at backend start-up; it must still get that call.
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return fallback.kernelFunc(args) as tf.TensorInfo;
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      return runOpsAsKernel(args.backend, [a, b], (at, bt) =>
        tf.matMul(transposeA ? swapLast(at!) : at!, transposeB ? swapLast(bt!) : bt!),
      );
    },
  };
}

function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = [...t.shape.keys()];
  perm.push(perm.splice(-2, 1)[0]!);
  return tf.transpose(t, perm);
}
