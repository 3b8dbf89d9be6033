import * as tf from '@tensorflow/tfjs';
import { batchNormKernel } from './batch-norm';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './conv2d-gradients';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-gradients';
import { tiledMaxPoolGradKernel } from './max-pool-grad';

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

let fastMaxPoolGrad: tf.KernelConfig | null = null;

/** Idempotent; safe to call before or after the wasm backend is initialised. */
export function installWasmGradients(): void {
  for (const config of WASM_GRADIENT_KERNELS) replaceKernel(config);
  // Tiled pooling gets the faster path; other poolings go to the stock kernel it wraps.
  const stock = tf.getKernel(tf.MaxPoolGrad, 'wasm');
  if (stock && stock.kernelFunc !== fastMaxPoolGrad?.kernelFunc) {
    fastMaxPoolGrad = tiledMaxPoolGradKernel(stock);
    replaceKernel(fastMaxPoolGrad);
  }
}

function replaceKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}
