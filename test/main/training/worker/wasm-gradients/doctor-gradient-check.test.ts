import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientCheck } from '../../../../../src/main/training/worker/doctor-bench';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';

beforeAll(async () => {
  await useWasmBackend();
});

describe('doctor --bench gradient check', () => {
  it('compares the wasm gradients with cpu, returns to wasm and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const error = await gradientCheck();
    expect(tf.getBackend()).toBe('wasm');
    expect(error).toBeGreaterThan(0); // different summation order: exactly 0 would mean cpu was compared with itself
    expect(error).toBeLessThan(1e-3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
