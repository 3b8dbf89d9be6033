import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipeCnn } from '../../../../../src/main/training/worker/modes/scratch';
import { createWasmPool, type WasmPool } from '../../../../../src/main/training/worker/parallel';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';

let pool: WasmPool;

beforeAll(async () => {
  await useWasmBackend();
  await tf.setBackend('wasm');
  pool = await createWasmPool({ threads: 3 });
});
afterAll(async () => {
  await pool.close();
});

describe('forward passes shared by the pool', () => {
  it('gives the rows this thread computes alone, in order, with the weights as they are now', async () => {
    const { model, logits } = recipeCnn(24, 3, 5);
    await pool.loadTrainingModel(logits, 'softmax-logits');
    // Weights changed after loading (as training does): the workers must use the current ones.
    tf.tidy(() => logits.trainableWeights.forEach((w) => w.write(tf.mul(w.read(), 1.5))));
    const x = tf.randomUniform([7, 24, 24, 3], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const alone = logits.predict(x) as tf.Tensor;
    const shared = await pool.predict(logits, x);
    expect(shared.shape).toEqual([7, 3]);
    const [a, s] = [Array.from(alone.dataSync()), Array.from(shared.dataSync())];
    s.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 5));
    tf.dispose([alone, shared]);
    expect(tf.memory().numTensors).toBe(before);
    const idle = await pool.workerTensors();
    await pool.predict(logits, x).then((t) => t.dispose());
    expect(await pool.workerTensors()).toEqual(idle);
    x.dispose();
    model.dispose();
  });
});
