/**
 * The recipe CNN's dropout must draw a new mask every step: a seeded tfjs Dropout layer draws the
 * same one on every call, which silently turned dropout into a fixed half of the dense layer.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDropoutSeed, stepDropoutSeed } from '../../../../src/main/training/worker/dropout-seed';
import { recipeCnn } from '../../../../src/main/training/worker/modes/scratch';
import { createWasmPool, type WasmPool } from '../../../../src/main/training/worker/parallel';
import { useWasmBackend } from '../../../../src/main/training/worker/wasm-gradients';

let pool: WasmPool;

beforeAll(async () => {
  await useWasmBackend();
  await tf.setBackend('wasm');
  pool = await createWasmPool({ threads: 2 });
});
afterAll(async () => {
  await pool.close();
});

/** The dropout layer's output mask for a row of ones, in training mode. */
function mask(model: tf.LayersModel): number[] {
  const layer = model.getLayer('dropout');
  return tf.tidy(() => Array.from((layer.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync()));
}

describe('dropout masks', () => {
  it('a seeded layer repeats its mask (the premise); a new seed per step gives a new one, the same seed the same', () => {
    const { model } = recipeCnn(24, 2, 7);
    expect(mask(model)).toEqual(mask(model));
    setDropoutSeed(model, stepDropoutSeed(7, 0));
    const first = mask(model);
    setDropoutSeed(model, stepDropoutSeed(7, 1));
    const second = mask(model);
    expect(second).not.toEqual(first);
    setDropoutSeed(model, stepDropoutSeed(7, 0));
    expect(mask(model)).toEqual(first);
    // About half the units are kept, scaled by 2.
    const kept = first.filter((v) => v > 0);
    expect(new Set(kept)).toEqual(new Set([2]));
    expect(kept.length).toBeGreaterThan(16);
    expect(kept.length).toBeLessThan(48);
    model.dispose();
  });

  it('seeds differ across steps and shares of a run, and across runs', () => {
    const seeds = new Set<number>();
    for (let step = 0; step < 2000; step++) for (let share = 0; share < 4; share++) seeds.add(stepDropoutSeed(42, step, share));
    expect(seeds.size).toBe(8000);
    expect(stepDropoutSeed(42, 5, 1)).not.toBe(stepDropoutSeed(43, 5, 1));
  });

  it("a pool step's gradients follow the step's seeds: reproducible, and different from another step's", async () => {
    const { model, logits } = recipeCnn(24, 2, 3);
    await pool.loadTrainingModel(logits, 'softmax-logits');
    const x = tf.randomUniform([6, 24, 24, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32'), 2).toFloat();
    const step = async (s: number): Promise<number[]> => {
      const { grads } = await pool.gradientStep(logits, x, y, (share) => stepDropoutSeed(3, s, share));
      const values = Object.keys(grads)
        .sort()
        .flatMap((name) => Array.from(grads[name]!.dataSync()));
      tf.dispose(Object.values(grads));
      return values;
    };
    const [a, again, b] = [await step(0), await step(0), await step(1)];
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    tf.dispose([x, y]);
    model.dispose();
  });
});
