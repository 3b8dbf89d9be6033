import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';
import { leadingAxesCount } from '../../../../../src/main/training/worker/wasm-gradients/leading-axes-sum';

/** Values of f's tensors on the named backend (disposed after reading). */
async function on(backend: 'wasm' | 'cpu', f: () => tf.Tensor[]): Promise<Array<{ shape: number[]; values: Float32Array }>> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const values = out.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(out);
  await tf.setBackend('wasm');
  return values;
}

async function expectSameAsCpu(f: () => tf.Tensor[], tolerance: number): Promise<void> {
  const wasm = await on('wasm', f);
  const cpu = await on('cpu', f);
  wasm.forEach((w, k) => {
    expect(w.shape).toEqual(cpu[k]!.shape);
    let worst = 0;
    for (let i = 0; i < w.values.length; i++) worst = Math.max(worst, Math.abs(w.values[i]! - cpu[k]!.values[i]!));
    expect(worst).toBeLessThanOrEqual(tolerance);
  });
}

beforeAll(async () => {
  await useWasmBackend();
});

describe('sum over leading axes (bias gradients) on wasm', () => {
  it('recognises only a leading run of axes', () => {
    expect(leadingAxesCount([0, 1, 2], [4, 5, 6, 7])).toBe(3);
    expect(leadingAxesCount([2, 0, 1], [4, 5, 6, 7])).toBe(3);
    expect(leadingAxesCount([-4], [4, 5, 6, 7])).toBe(1);
    expect(leadingAxesCount([1, 2], [4, 5, 6, 7])).toBe(0);
    expect(leadingAxesCount([0, 1, 2, 3], [4, 5, 6, 7])).toBe(0);
    expect(leadingAxesCount(3, [4, 5, 6, 7])).toBe(0);
  });

  it('equals cpu for leading axes, keepDims, and the axes it leaves to the stock kernel', async () => {
    const make = () => tf.randomNormal([6, 13, 11, 32], 0, 1, 'float32', 3);
    await expectSameAsCpu(
      () => {
        const x = make();
        return [
          tf.sum(x, [0, 1, 2]),
          tf.sum(x, [0, 1, 2], true),
          tf.sum(x, [1, 0]),
          tf.sum(x, 0),
          tf.sum(x, [1, 2]),
          tf.sum(x),
          tf.sum(tf.slice(x, [0, 0, 0, 0], [1, 2, 2, 3]), [0, 1, 2]),
        ];
      },
      // float32 sums of up to 858 terms in another order (float64 accumulation here)
      2e-4,
    );
  });

  it('an int32 sum keeps the stock kernel and stays exact', async () => {
    const x = tf.range(0, 6 * 40 * 30, 1, 'int32').reshape([6, 40, 30]);
    const s = tf.sum(x, [0, 1]);
    expect(s.dtype).toBe('int32');
    const expected = Array.from({ length: 30 }, (_, c) => {
      let total = 0;
      for (let r = 0; r < 240; r++) total += r * 30 + c;
      return total;
    });
    expect(Array.from(s.dataSync())).toEqual(expected);
    tf.dispose([x, s]);
  });
});

describe('identity on wasm shares the data', () => {
  it('a clone reads the same, survives the original, and frees with the last reference', () => {
    const before = tf.memory();
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = x.clone();
    expect(y.dataId).not.toBe(undefined);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const z = tf.add(y, 1);
    expect(Array.from(z.dataSync())).toEqual([2, 3, 4, 5]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([y, z]);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('a variable assigned from a clone keeps its value when the source is disposed', () => {
    const v = tf.variable(tf.zeros([3]));
    const source = tf.tensor1d([5, 6, 7]);
    v.assign(source.clone());
    source.dispose();
    expect(Array.from(v.dataSync())).toEqual([5, 6, 7]);
    v.dispose();
  });
});

describe('cast on wasm', () => {
  it('to the same dtype shares the data; to another dtype converts as before', () => {
    const before = tf.memory();
    const x = tf.tensor1d([1.5, -2, 0]);
    const same = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 0]);
    const asInt = tf.cast(same, 'int32');
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 0]);
    const ints = tf.tensor1d([1, 0, 3], 'int32');
    const back = tf.cast(ints, 'float32');
    expect(back.dtype).toBe('float32');
    expect(Array.from(back.dataSync())).toEqual([1, 0, 3]);
    tf.dispose([same, asInt, ints, back]);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});

describe('tiled max-pool gradient edge cases on wasm', () => {
  const cases: Array<{ x: number[]; size: number; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 11, 3], size: 2, pad: 'same' },
    { x: [1, 5, 7, 4], size: 3, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`x ${c.x} pool ${c.size} ${c.pad}, negative values and tied windows`, async () => {
      await expectSameAsCpu(() => {
        // integers in -2..0 give many ties, and 'same' padding must not beat a negative maximum
        const x = tf.sub(tf.floor(tf.randomUniform(c.x, 0, 3, 'float32', 5)), 2);
        const shape = tf.maxPool(x as tf.Tensor4D, c.size, c.size, c.pad).shape;
        const dy = tf.reshape(tf.range(1, 1 + shape.reduce((p, d) => p * d, 1)), shape);
        return tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.size, c.pad), dy)))([x]);
      }, 0);
    });
  }
});
