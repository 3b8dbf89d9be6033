/**
 * ONNX Runtime on its own thread, with real graphs: what a refused graph, a bad input and a released
 * session answer. The equal-answers and event-loop checks on the bundled MobileNet are in
 * forward-engine.test.ts.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OrtThreadSession } from '../../../../../src/main/training/forward/ort-thread/ort-thread';
import type { OrtThreadOptions } from '../../../../../src/main/training/forward/ort-thread/protocol';
import { convertLayersModel } from '../../../../../src/main/training/forward/convert';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../backbones/keras/helpers';

const options: OrtThreadOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

/** A one-layer graph: y = x · W + b over 4 inputs, converted by the product's own converter. */
async function denseGraph(): Promise<{ onnx: Uint8Array; inputName: string; outputName: string }> {
  await useWasmBackend();
  const input = tf.input({ shape: [2, 2, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'ones' }).apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: dense });
  try {
    const result = convertLayersModel(model, { batch: 'dynamic' });
    if (!result.ok) throw new Error(result.reason);
    return { onnx: result.onnx, inputName: result.inputName, outputName: result.outputName };
  } finally {
    model.dispose();
  }
}

describe('OrtThreadSession', () => {
  it('runs a graph on its thread; a kept input stays, a transferred one moves; a released session refuses', async () => {
    const graph = await denseGraph();
    const session = await OrtThreadSession.open(graph.onnx, options, graph);
    const x = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]);
    try {
      expect(Array.from(await session.run(x, [2, 2, 2, 1]))).toEqual([11, 101]);
      expect(x.length).toBe(8);
      const given = x.slice();
      expect(Array.from(await session.run(given, [2, 2, 2, 1], true))).toEqual([11, 101]);
      expect(given.length).toBe(0);
      // A wrong shape is ONNX Runtime's error for that batch; the session goes on.
      await expect(session.run(Float32Array.from([1, 2, 3]), [1, 3, 1, 1])).rejects.toThrow(/dimension|shape|Got invalid/i);
      expect(Array.from(await session.run(x, [2, 2, 2, 1]))).toEqual([11, 101]);
    } finally {
      await session.release();
    }
    await expect(session.run(x, [2, 2, 2, 1])).rejects.toThrow(/released/);
  });

  it('rejects a graph ONNX Runtime refuses with its message, and leaves no thread behind', async () => {
    const threads = (): number => readdirSync('/proc/self/task').length;
    const before = threads();
    await expect(OrtThreadSession.open(Uint8Array.from([1, 2, 3, 4]), options, { inputName: 'x', outputName: 'y' })).rejects.toThrow(
      /protobuf|parse|model/i,
    );
    // Worker threads end asynchronously; give the OS a moment to reap it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(threads()).toBeLessThanOrEqual(before);
  });
});
