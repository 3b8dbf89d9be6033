import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { augmentParamsSchema, type AugmentParamsInput } from '@shared/contract/augment';
import {
  applyMatrix,
  augmentBatch,
  augmentVariants,
  IDENTITY_TRANSFORM,
  sampleTransform,
  transformMatrix,
  type SampledTransform,
} from '../../../src/main/augment';
import { builtinPreset } from '../../../src/main/augment/presets';
import { useBackend } from './tf-backend';
import { centroid, coordinateImage, markerImage, patternImages } from './synthetic';

let tf: typeof tfType;
let tensorsAtStart = 0;

beforeAll(async () => {
  tf = await useBackend('wasm');
  tensorsAtStart = tf.memory().numTensors;
});

afterAll(() => {
  // Every test disposes what it made; anything left here leaked from the augmentation code.
  expect(tf.memory().numTensors).toBe(tensorsAtStart);
});

const params = (p: AugmentParamsInput) => augmentParamsSchema.parse(p);
const KEYS = Array.from({ length: 8 }, (_, i) => `sha-${i}`);
// The built-in keras-blog preset plus the photometric transforms, so every sampler is exercised.
const KERAS_BLOG = params({
  ...builtinPreset('keras-blog')!.params,
  brightness_range: [0.7, 1.3],
  channel_shift_range: 30,
});

function run(images: tfType.Tensor4D, transforms: SampledTransform[], p = params({})): Float32Array {
  const out = augmentBatch(images, transforms, p);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function variants(images: tfType.Tensor4D, keys: string[], indices: number[], p: ReturnType<typeof params>, seed: number): Float32Array {
  const out = augmentVariants(images, keys, indices, p, seed);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

const transform = (t: Partial<SampledTransform>): SampledTransform => ({ ...IDENTITY_TRANSFORM, ...t });

describe('determinism', () => {
  test('same seed gives identical pixels, another seed different ones', () => {
    const images = patternImages(tf, 8, 32, 40);
    const indices = [0, 1, 2, 3, 4, 5, 6, 7];
    const a = variants(images, KEYS, indices, KERAS_BLOG, 42);
    const b = variants(images, KEYS, indices, KERAS_BLOG, 42);
    const c = variants(images, KEYS, indices, KERAS_BLOG, 43);
    images.dispose();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  test('a batch of 8 equals the 8 images one by one, in any order', () => {
    const images = patternImages(tf, 8, 32, 40);
    const indices = [3, 1, 4, 1, 5, 9, 2, 6];
    const batched = variants(images, KEYS, indices, KERAS_BLOG, 7);
    const perImage = 32 * 40 * 3;
    for (const b of [7, 0, 5, 2, 1, 6, 3, 4]) {
      const one = images.slice([b, 0, 0, 0], [1, 32, 40, 3]);
      const single = variants(one, [KEYS[b]!], [indices[b]!], KERAS_BLOG, 7);
      one.dispose();
      expect(single).toEqual(batched.subarray(b * perImage, (b + 1) * perImage));
    }
    images.dispose();
  });

  test('wasm and cpu backends give identical pixels', async () => {
    const make = () => patternImages(tf, 4, 24, 24);
    const args: [string[], number[], typeof KERAS_BLOG, number] = [KEYS.slice(0, 4), [0, 1, 2, 3], KERAS_BLOG, 5];
    let images = make();
    const onWasm = variants(images, ...args);
    images.dispose();
    await useBackend('cpu');
    images = make();
    const onCpu = variants(images, ...args);
    images.dispose();
    await useBackend('wasm');
    expect(onCpu).toEqual(onWasm);
  });

  test('sampling depends on seed, image and variant only', () => {
    const t = sampleTransform(KERAS_BLOG, 1, 'abc', 3, 224, 224);
    expect(sampleTransform(KERAS_BLOG, 1, 'abc', 3, 224, 224)).toEqual(t);
    expect(sampleTransform(KERAS_BLOG, 1, 'abd', 3, 224, 224)).not.toEqual(t);
    expect(sampleTransform(KERAS_BLOG, 1, 'abc', 4, 224, 224)).not.toEqual(t);
    expect(sampleTransform(KERAS_BLOG, 2, 'abc', 3, 224, 224)).not.toEqual(t);
  });
});

describe('sampled values stay in their ranges', () => {
  test('every parameter within Keras ranges over many variants', () => {
    let flips = 0;
    for (let k = 0; k < 400; k++) {
      const t = sampleTransform(KERAS_BLOG, 9, 'img', k, 200, 100);
      expect(Math.abs(t.theta)).toBeLessThanOrEqual(40);
      expect(Math.abs(t.ty)).toBeLessThanOrEqual(0.2 * 200);
      expect(Math.abs(t.tx)).toBeLessThanOrEqual(0.2 * 100);
      expect(Math.abs(t.shear)).toBeLessThanOrEqual(11.46);
      expect(t.zx).toBeGreaterThanOrEqual(0.8);
      expect(t.zy).toBeLessThanOrEqual(1.2);
      expect(t.brightness).toBeGreaterThanOrEqual(0.7);
      expect(t.brightness).toBeLessThanOrEqual(1.3);
      expect(Math.abs(t.channel_shift_intensity!)).toBeLessThanOrEqual(30);
      expect(t.flip_vertical).toBe(false);
      if (t.flip_horizontal) flips++;
    }
    expect(flips).toBeGreaterThan(150);
    expect(flips).toBeLessThan(250);
  });

  test('zx and zy are drawn independently', () => {
    const t = sampleTransform(params({ zoom_range: [0.5, 1.5] }), 1, 'img', 0, 10, 10);
    expect(t.zx).not.toBe(t.zy);
  });

  test('integer pixel shifts give whole pixels, lists give one of their values', () => {
    for (let k = 0; k < 50; k++) {
      const t = sampleTransform(params({ width_shift_range: 3, height_shift_range: [0.1, 0.25] }), 1, 'i', k, 100, 40);
      expect(Number.isInteger(t.ty) && Math.abs(t.ty) <= 3).toBe(true);
      expect([4, 10]).toContain(t.tx);
    }
  });
});

describe('each parameter does what it says', () => {
  test('horizontal_flip mirrors exactly', () => {
    const images = patternImages(tf, 1, 16, 20);
    const mirrored = tf.reverse(images, 2);
    const expected = mirrored.dataSync();
    mirrored.dispose();
    const p = params({ horizontal_flip: true });
    let seen = 0;
    for (let k = 0; k < 6; k++) {
      const flipped = sampleTransform(p, 3, 'x', k, 20, 16).flip_horizontal;
      const out = variants(images, ['x'], [k], p, 3);
      expect(out).toEqual(flipped ? expected : images.dataSync());
      seen += flipped ? 1 : 0;
    }
    expect(seen).toBeGreaterThan(0);
    images.dispose();
  });

  test('vertical flip mirrors rows exactly', () => {
    const images = patternImages(tf, 1, 16, 20);
    const mirrored = tf.reverse(images, 1);
    expect(run(images, [transform({ flip_vertical: true })])).toEqual(mirrored.dataSync());
    mirrored.dispose();
    images.dispose();
  });

  test('width_shift_range 0.2 moves a marker by at most 20% of the width, never vertically', () => {
    const size = 100;
    const image = markerImage(tf, size, size, 45, 45, 10);
    const p = params({ width_shift_range: 0.2, fill_mode: 'constant' });
    let largest = 0;
    for (let k = 0; k < 30; k++) {
      const at = centroid(variants(image, ['m'], [k], p, 11), size, size);
      expect(Math.abs(at.col - 49.5)).toBeLessThanOrEqual(0.2 * size + 1e-6);
      expect(at.row).toBeCloseTo(49.5, 6);
      largest = Math.max(largest, Math.abs(at.col - 49.5));
    }
    expect(largest).toBeGreaterThan(10);
    image.dispose();
  });

  test('rotation of +90 and -90 degrees turns a known pattern exactly', () => {
    const n = 12;
    const images = patternImages(tf, 1, n, n);
    const src = images.dataSync();
    const at = (r: number, c: number, ch: number) => src[(r * n + c) * 3 + ch];
    const plus = run(images, [transform({ theta: 90 })]);
    const minus = run(images, [transform({ theta: -90 })]);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        for (let ch = 0; ch < 3; ch++) {
          // Keras' rotation matrix in (row, col): output (r, c) reads (ox - (c - oy), oy + (r - ox)).
          expect(plus[(r * n + c) * 3 + ch]).toBe(at(n - 1 - c, r, ch));
          expect(minus[(r * n + c) * 3 + ch]).toBe(at(c, n - 1 - r, ch));
        }
      }
    }
    images.dispose();
  });

  test('rotation_range 90 draws angles across [-90, 90]', () => {
    const angles = Array.from({ length: 200 }, (_, k) => sampleTransform(params({ rotation_range: 90 }), 1, 'r', k, 8, 8).theta);
    expect(Math.min(...angles)).toBeLessThan(-80);
    expect(Math.max(...angles)).toBeGreaterThan(80);
    expect(angles.every((a) => Math.abs(a) <= 90)).toBe(true);
  });

  test.each([
    ['zoom', transform({ zx: 1.5, zy: 0.6 })],
    ['shear', transform({ shear: 20 })],
    ['all together', transform({ theta: 17, tx: 2.5, ty: -3, shear: -8, zx: 0.9, zy: 1.1 })],
  ])('%s moves known points where the affine maths says', (_name, t) => {
    const h = 40;
    const w = 50;
    const image = coordinateImage(tf, h, w);
    const out = run(image, [t]);
    const m = transformMatrix(t, w, h);
    let checked = 0;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const [sr, sc] = applyMatrix(m, r, c);
        if (sr < 0 || sr > h - 1 || sc < 0 || sc > w - 1) continue;
        expect(out[(r * w + c) * 3]).toBeCloseTo(sr, 3);
        expect(out[(r * w + c) * 3 + 1]).toBeCloseTo(sc, 3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // And the matrix is Keras' about the centre: the centre is a fixed point of zoom and shear.
    if (t.theta === 0 && t.tx === 0) {
      const [cr, cc] = applyMatrix(m, (h - 1) / 2, (w - 1) / 2);
      expect(cr).toBeCloseTo((h - 1) / 2, 9);
      expect(cc).toBeCloseTo((w - 1) / 2, 9);
    }
    image.dispose();
  });

  test('zoom above 1 zooms out: sampled coordinates spread wider', () => {
    const m = transformMatrix(transform({ zx: 2, zy: 2 }), 11, 11);
    expect(applyMatrix(m, 0, 0)).toEqual([-5, -5]);
  });

  describe('fill modes fill the uncovered border as facts.md specifies', () => {
    // One row "abcdefgh" (a = 10 ... h = 17), shifted so output columns 4..7 read source 8..11 or -4..-1.
    const width = 8;
    const row = (values: number[]) => values.map((v) => [v, v, v]).flat();
    const cases: [string, number, number[]][] = [
      ['nearest', 4, [14, 15, 16, 17, 17, 17, 17, 17]],
      ['nearest', -4, [10, 10, 10, 10, 10, 11, 12, 13]],
      ['reflect', 4, [14, 15, 16, 17, 17, 16, 15, 14]],
      ['reflect', -4, [13, 12, 11, 10, 10, 11, 12, 13]],
      ['wrap', 4, [14, 15, 16, 17, 10, 11, 12, 13]],
      ['wrap', -4, [14, 15, 16, 17, 10, 11, 12, 13]],
      ['constant', 4, [14, 15, 16, 17, 99, 99, 99, 99]],
      ['constant', -4, [99, 99, 99, 99, 10, 11, 12, 13]],
    ];
    test.each(cases)('%s, shift %i', (mode, shift, expected) => {
      const image = tf.tensor4d(row([10, 11, 12, 13, 14, 15, 16, 17]), [1, 1, width, 3]);
      const p = params({ fill_mode: mode as 'nearest', cval: 99 });
      const out = run(image, [transform({ ty: shift })], p);
      // The shift is a read offset (Keras: input col = output col + ty), so content moves left for +ty.
      expect(Array.from(out)).toEqual(row(expected));
      image.dispose();
    });
  });

  test('brightness multiplies the mean by a factor within the range', () => {
    const image = tf.fill([1, 8, 8, 3], 100) as tfType.Tensor4D;
    const p = params({ brightness_range: [0.5, 0.8] });
    for (let k = 0; k < 10; k++) {
      const out = variants(image, ['b'], [k], p, 1);
      const mean = out.reduce((a, v) => a + v, 0) / out.length;
      expect(mean).toBeGreaterThanOrEqual(50 - 1e-4);
      expect(mean).toBeLessThanOrEqual(80 + 1e-4);
      expect(mean).toBeCloseTo(100 * sampleTransform(p, 1, 'b', k, 8, 8).brightness!, 3);
    }
    image.dispose();
  });

  test('brightness clips to 0..255', () => {
    const image = tf.fill([1, 4, 4, 3], 200) as tfType.Tensor4D;
    expect(Math.max(...run(image, [transform({ brightness: 2 })], params({ brightness_range: [2, 2] })))).toBe(255);
    image.dispose();
  });

  test('channel shift adds one intensity to every channel, clipped to the image range', () => {
    const image = tf.tensor4d([0, 50, 100, 200, 250, 255], [1, 1, 2, 3]);
    const out = run(image, [transform({ channel_shift_intensity: 20 })], params({ channel_shift_range: 30 }));
    expect(Array.from(out)).toEqual([20, 70, 120, 220, 255, 255]);
    image.dispose();
  });

  test('rescale multiplies last', () => {
    const image = tf.fill([1, 2, 2, 3], 200) as tfType.Tensor4D;
    const out = run(image, [transform({ brightness: 1.5 })], params({ brightness_range: [1.5, 1.5], rescale: 1 / 255 }));
    expect(out[0]).toBeCloseTo(1, 6);
    image.dispose();
  });

  test('no augmentation leaves pixels untouched, whatever the input dtype', () => {
    const image = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3], 'int32');
    expect(Array.from(variants(image, ['n'], [0], params({}), 1))).toEqual([1, 2, 3, 4, 5, 6]);
    image.dispose();
  });
});

test('an int32 batch (decoded pixels) gives the same pixels as its float32 copy, and leaks nothing', () => {
  const floats = patternImages(tf, 4, 32, 32);
  const ints = tf.cast(floats, 'int32') as tfType.Tensor4D;
  const copy = tf.cast(ints, 'float32') as tfType.Tensor4D;
  const before = tf.memory().numTensors;
  const a = augmentVariants(ints, KEYS.slice(0, 4), [3, 3, 3, 3], KERAS_BLOG, 1);
  const b = augmentVariants(copy, KEYS.slice(0, 4), [3, 3, 3, 3], KERAS_BLOG, 1);
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  tf.dispose([a, b]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([floats, ints, copy]);
});

test('no tensors leak over an epoch of batches', () => {
  const before = tf.memory().numTensors;
  const images = patternImages(tf, 8, 32, 32);
  for (let batch = 0; batch < 10; batch++) {
    const out = augmentVariants(
      images,
      KEYS,
      KEYS.map(() => batch),
      KERAS_BLOG,
      1,
    );
    out.dispose();
  }
  images.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
