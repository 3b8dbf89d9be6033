import * as tf from '@tensorflow/tfjs';

/** The wasm backend's reference counting, which the public Backend type does not expose. */
interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * Runs a kernel body written with ordinary tfjs ops and hands its result back as a kernel output.
 *
 * Nested ops are legal inside a kernel (the engine does not tape them), and they run on the same
 * backend, so XNNPACK does the heavy lifting. The input wrappers and the result tensor each take
 * their own reference on the backend data, so disposing them never frees the caller's buffers.
 */
export function runOpsAsKernel(
  backend: unknown,
  inputs: readonly tf.TensorInfo[],
  body: (...tensors: tf.Tensor[]) => tf.Tensor,
): tf.TensorInfo {
  const counted = backend as unknown as RefCountingBackend;
  const engine = tf.engine();
  const result = tf.tidy(() => {
    const wrapped = inputs.map((info) => {
      counted.incRef(info.dataId);
      return engine.makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
    });
    return body(...wrapped);
  });
  counted.incRef(result.dataId);
  const info: tf.TensorInfo = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return info;
}

/**
 * A wasm kernel for a two-input 4-D gradient written with ops. `inputNames` lists the kernel's
 * named inputs in the order `body` takes them; attrs are passed through as the engine gives them.
 */
export function twoInputOpsKernel<Attrs>(
  kernelName: string,
  inputNames: readonly [string, string],
  body: (a: tf.Tensor4D, b: tf.Tensor4D, attrs: Attrs) => tf.Tensor,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const named = inputs as Record<string, tf.TensorInfo>;
      const ordered = inputNames.map((name) => named[name] as tf.TensorInfo);
      return runOpsAsKernel(backend, ordered, (a, b) => body(a as tf.Tensor4D, b as tf.Tensor4D, attrs as unknown as Attrs));
    },
  };
}
