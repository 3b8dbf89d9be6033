import * as tf from '@tensorflow/tfjs';
import { runOpsAsKernel } from './kernel-bridge';

/**
 * Batch norm as (x * a) + b with per-channel a = scale / sqrt(var + eps), b = offset - mean * a.
 * The stock wasm kernel is a scalar loop with a channel lookup per element and was half of a
 * MobileNetV2 forward; two broadcast binary ops run vectorised in XNNPACK.
 */
export function affineBatchNorm(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  offset: tf.Tensor | undefined,
  scale: tf.Tensor | undefined,
  epsilon: number,
): tf.Tensor {
  const inv = tf.rsqrt(tf.add(variance, epsilon));
  const a = scale ? tf.mul(inv, scale) : inv;
  const shifted = tf.neg(tf.mul(mean, a));
  const b = offset ? tf.add(shifted, offset) : shifted;
  return tf.add(tf.mul(x, a), b);
}

export const batchNormKernel: tf.KernelConfig = {
  kernelName: tf.FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
    const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const present = [x!, mean!, variance!, ...(offset ? [offset] : []), ...(scale ? [scale] : [])];
    return runOpsAsKernel(backend, present, (xt, m, v, ...rest) => {
      const o = offset ? rest[0] : undefined;
      const s = scale ? rest[offset ? 1 : 0] : undefined;
      return affineBatchNorm(xt!, m!, v!, o, s, epsilon);
    });
  },
};
