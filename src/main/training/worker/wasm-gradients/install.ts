import * as tf from '@tensorflow/tfjs';
import { batchNormKernel } from './batch-norm';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './conv2d-gradients';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-gradients';
import { leadingAxesSumKernel } from './leading-axes-sum';
import { tiledMaxPoolGradKernel } from './max-pool-grad';
import { sameTypeCastKernel, sharedIdentityKernel } from './shared-identity';
import { transposedMatMulKernel } from './transposed-matmul';

/**
 * Kernels the wasm backend of tfjs 4.22 lacks (or runs too slowly) for the product's training
 * steps and feature extraction. They are registered for backendName 'wasm' only, so cpu, webgl and tfjs-node are untouched.
 */
export const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
  batchNormKernel,
];

/** Kernels that wrap the stock one (kept as the fallback), by name; set on first install. */
const wrappers = new Map<string, tf.KernelConfig>();
const WRAPPERS: ReadonlyArray<[string, (stock: tf.KernelConfig) => tf.KernelConfig]> = [
  [tf.MaxPoolGrad, tiledMaxPoolGradKernel],
  [tf.BatchMatMul, transposedMatMulKernel],
  [tf.Sum, leadingAxesSumKernel],
  [tf.Identity, sharedIdentityKernel],
  [tf.Cast, sameTypeCastKernel],
];

/** Idempotent; safe to call before or after the wasm backend is initialised. */
export function installWasmGradients(): void {
  for (const config of WASM_GRADIENT_KERNELS) replaceKernel(config);
  for (const [name, wrap] of WRAPPERS) {
    const current = tf.getKernel(name, 'wasm');
    if (!current || current.kernelFunc === wrappers.get(name)?.kernelFunc) continue;
    const wrapper = wrap(current);
    wrappers.set(name, wrapper);
    replaceKernel(wrapper);
  }
}

function replaceKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}
