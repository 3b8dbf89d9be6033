import type * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend a kernel written in plain JS over the heap needs. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  incRef(dataId: tf.DataId): void;
}

/**
 * A fresh float32 output and views of it and of the inputs. The output is allocated first: an
 * allocation may grow the wasm memory, which detaches every view taken before it.
 */
export function heapViews(
  backend: unknown,
  inputs: readonly tf.TensorInfo[],
  outShape: number[],
): { out: tf.TensorInfo; outValues: Float32Array; values: Float32Array[] } {
  const heap = backend as HeapBackend;
  const out = heap.makeOutput(outShape, 'float32');
  return { out, outValues: heap.typedArrayFromHeap(out), values: inputs.map((info) => heap.typedArrayFromHeap(info)) };
}
