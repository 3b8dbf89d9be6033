import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../../../src/main/training/worker/wasm-gradients';

/** Runs `f` on the named backend and returns plain arrays (tensors are disposed). */
async function on(backend: 'wasm' | 'cpu', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const values = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return values;
}

function maxAbsError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function scale(a: Float32Array): number {
  return Math.max(1, ...Array.from(a, Math.abs));
}

const errors: string[] = [];

async function compare(label: string, f: () => tf.Tensor[], reference = f): Promise<void> {
  const wasm = await on('wasm', f);
  const cpu = await on('cpu', reference);
  wasm.forEach((w, k) => {
    const err = maxAbsError(w, cpu[k]!);
    errors.push(`${label}[${k}]: ${err.toExponential(2)} (scale ${scale(cpu[k]!).toFixed(1)})`);
    // float32 sums of up to a few hundred terms in a different order
    expect(err, label).toBeLessThan(2e-5 * scale(cpu[k]!));
  });
  await tf.setBackend('wasm');
}

function rand(shape: readonly number[], seed: number): tf.Tensor4D {
  return tf.randomNormal([...shape] as [number, number, number, number], 0, 1, 'float32', seed);
}

beforeAll(async () => {
  await useWasmBackend();
});

afterAll(() => {
  console.log(`wasm vs cpu gradient max abs errors:\n  ${errors.join('\n  ')}`);
});

type Padding = 'same' | 'valid';
const convCases: Array<{ x: number[]; f: number[]; stride: number; pad: Padding }> = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 9, 8, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [2, 9, 8, 3], f: [3, 2, 3, 5], stride: 2, pad: 'valid' },
  { x: [1, 11, 13, 2], f: [5, 5, 2, 3], stride: 3, pad: 'same' },
  { x: [3, 6, 6, 4], f: [1, 1, 4, 6], stride: 1, pad: 'valid' },
];

describe('Conv2D gradients on wasm match cpu', () => {
  for (const c of convCases) {
    it(`x ${c.x} filter ${c.f} stride ${c.stride} ${c.pad}`, async () => {
      const x = rand(c.x, 1);
      const f = rand(c.f, 2);
      await compare(`conv2d x${c.x} f${c.f} s${c.stride} ${c.pad}`, () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad))))([x, f]),
      );
      tf.dispose([x, f]);
    });
  }
});

describe('Conv2DBackpropInput (conv2dTranspose) on wasm matches cpu', () => {
  // conv2dTranspose hands its input to the kernel as dy unchecked: an input larger than the output
  // grid the geometry implies is read from its top-left corner by cpu (TF.js' "input=8x8x8,
  // output=4x4x8" spec), so it must be here too.
  for (const c of [
    { x: [1, 8, 8, 8], out: [1, 4, 4, 8], f: 8, stride: 1 },
    { x: [2, 6, 5, 3], out: [2, 4, 4, 2], f: 3, stride: 1 },
    { x: [1, 5, 5, 3], out: [1, 7, 7, 2], f: 3, stride: 2 },
  ]) {
    it(`input ${c.x} output ${c.out} f ${c.f} stride ${c.stride} same`, async () => {
      const x = rand(c.x, 22);
      const w = rand([c.f, c.f, c.out[3]!, c.x[3]!], 23);
      await compare(`conv2dTranspose x${c.x} out${c.out}`, () => [
        tf.conv2dTranspose(x, w, c.out as [number, number, number, number], c.stride, 'same'),
      ]);
      tf.dispose([x, w]);
    });
  }
});

describe('depthwise Conv2D gradients on wasm match cpu', () => {
  for (const multiplier of [1, 2]) {
    for (const c of convCases.filter((k) => k.f[0]! > 1)) {
      it(`x ${c.x} multiplier ${multiplier} stride ${c.stride} ${c.pad}`, async () => {
        const x = rand(c.x, 3);
        const f = rand([c.f[0]!, c.f[1]!, c.x[3]!, multiplier], 4);
        await compare(`depthwise x${c.x} m${multiplier} s${c.stride} ${c.pad}`, () =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad))),
          )([x, f]),
        );
        tf.dispose([x, f]);
      });
    }
  }

  // tfjs' gradient refuses dilations > 1 and the cpu kernels ignore them, so the wasm kernels are
  // driven directly and the reference is the cpu gradient of the same convolution written with a
  // zero-stuffed (explicitly dilated) filter.
  for (const pad of ['same', 'valid'] as const) {
    for (const multiplier of [1, 2]) {
      it(`dilation 2, ${pad}, multiplier ${multiplier} (kernels called directly)`, async () => {
        const x = rand([2, 11, 10, 3], 5);
        const f = rand([3, 3, 3, multiplier], 6);
        const y = tf.depthwiseConv2d(x, f, 1, pad, 'NHWC', 2);
        const dy = rand(y.shape, 7);
        const attrs = { strides: [1, 1], dilations: [2, 2], pad };
        const stuffed = (): tf.Tensor4D => {
          const holes = tf.pad(tf.reshape(f, [3, 1, 3, 1, 3, multiplier]), [
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 0],
          ]);
          return tf.slice(tf.reshape(holes, [6, 6, 3, multiplier]), 0, [5, 5, 3, multiplier]) as tf.Tensor4D;
        };
        await compare(
          `depthwise dilation 2 ${pad} m${multiplier}`,
          () => [
            tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...attrs, filterShape: [...f.shape] }) as tf.Tensor,
            tf
              .engine()
              .runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: f }, { ...attrs, inputShape: [...x.shape] }) as tf.Tensor,
          ],
          () => {
            const [dx, dStuffed] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), dy)),
            )([x, stuffed()]);
            return [tf.stridedSlice(dStuffed!, [0, 0, 0, 0], [5, 5, 3, multiplier], [2, 2, 1, 1]), dx!];
          },
        );
        tf.dispose([x, f, y, dy]);
      });
    }
  }
});

describe('batch norm (replaced forward kernel) on wasm matches cpu', () => {
  it('forward and gradients, with and without offset and scale', async () => {
    const x = rand([3, 5, 7, 4], 12);
    const mean = tf.randomNormal([4], 0, 1, 'float32', 13);
    const variance = tf.randomUniform([4], 0.5, 2, 'float32', 14);
    const offset = tf.randomNormal([4], 0, 1, 'float32', 15);
    const scale = tf.randomNormal([4], 1, 0.2, 'float32', 16);
    await compare('batchNorm', () => [
      tf.batchNorm(x, mean, variance, offset, scale, 1e-3),
      tf.batchNorm(x, mean, variance, undefined, undefined, 1e-3),
      ...tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(tf.square(tf.batchNorm(a, mean, variance, offset, s, 1e-3))))([x, scale]),
    ]);
    tf.dispose([x, mean, variance, offset, scale]);
  });
});

describe('max pooling gradient on wasm matches cpu', () => {
  // After ReLU whole windows tie at 0: the gradient must go to the first maximum, as on cpu.
  const cases: Array<{ x: number[]; size: number; pad: Padding }> = [
    { x: [2, 8, 10, 3], size: 2, pad: 'valid' },
    { x: [2, 9, 11, 3], size: 2, pad: 'valid' },
    { x: [1, 9, 9, 2], size: 3, pad: 'same' },
    { x: [1, 7, 8, 2], size: 3, pad: 'same' },
  ];
  for (const c of cases) {
    it(`x ${c.x} pool ${c.size} ${c.pad}, ReLU ties`, async () => {
      const x = tf.relu(rand(c.x, 17));
      const shape = tf.maxPool(x, c.size, c.size, c.pad).shape;
      // distinct output-gradient values, so a gradient sent to the wrong pixel shows
      const dy = tf.reshape(tf.range(1, 1 + shape.reduce((p, d) => p * d, 1)), shape);
      await compare(`maxPool x${c.x} ${c.size} ${c.pad}`, () =>
        tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.size, c.pad), dy)))([x]),
      );
      dy.dispose();
      x.dispose();
    });
  }
});

describe('transposed matmul (dense-layer gradients) on wasm matches cpu', () => {
  it('every transpose combination, 2-D and batched', async () => {
    const a2 = tf.randomNormal([5, 7], 0, 1, 'float32', 18);
    const b2 = tf.randomNormal([5, 7], 0, 1, 'float32', 19);
    const a3 = tf.randomNormal([2, 5, 7], 0, 1, 'float32', 20);
    const b3 = tf.randomNormal([2, 5, 7], 0, 1, 'float32', 21);
    await compare('matMul transposes', () => [
      tf.matMul(a2, b2, true, false),
      tf.matMul(a2, b2, false, true),
      tf.matMul(a2, tf.transpose(b2), true, true),
      tf.matMul(a3, b3, true, false),
      tf.matMul(a3, b3, false, true),
      tf.matMul(a2, tf.transpose(b2)),
    ]);
    tf.dispose([a2, b2, a3, b3]);
  });
});

describe('kernels do not leak', () => {
  it('keeps tf.memory() flat across repeated gradient calls', () => {
    const x = rand([2, 9, 9, 4], 9);
    const f = rand([3, 3, 4, 2], 10);
    const fd = rand([3, 3, 4, 2], 11);
    const step = (): void => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.add(
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
          tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'same')),
        ),
      )([x, f, fd]);
      tf.dispose(g);
    };
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([x, f, fd]);
  });
});
