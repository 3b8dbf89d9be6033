import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-kernels';

/**
 * The stock wasm Identity copies its input; the engine runs it for every tensor a gradient saves
 * for later (the activations of each layer in a training step, ~25 ms of the scratch step). Wasm
 * kernels never write into their inputs, so sharing the data with a reference, as the cpu backend
 * and wasm's own Reshape do, is safe. Strings keep the stock kernel.
 */
export function sharedIdentityKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return fallback.kernelFunc(args) as tf.TensorInfo;
      (args.backend as unknown as HeapBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}

/**
 * A Cast to the dtype the tensor already has is an Identity too; the stock wasm kernel copies it.
 * Every ReLU gradient casts its float32 step mask to float32 (≈5 ms on the recipe's first layer).
 */
export function sameTypeCastKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Cast,
    backendName: 'wasm',
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
      if (x.dtype !== dtype || dtype === 'string') return fallback.kernelFunc(args) as tf.TensorInfo;
      (args.backend as unknown as HeapBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype };
    },
  };
}
