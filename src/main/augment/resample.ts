import type { FillMode } from '@shared/contract/augment';
import type { Matrix3 } from './matrix';

/**
 * The single bilinear resample of a batch, each image through its own matrix (Keras' order=1 affine
 * transform). Plain float64 JavaScript over the batch's pixel buffer, so the result does not depend on
 * the tfjs backend: tf.image.transform could not give that (in tfjs 4.22 the cpu kernel returns after
 * the first image of a batch and the wasm kernel maps coordinates in float32), and a gather-based
 * version measured 4x slower on wasm than this loop.
 */
export function resamplePixels(
  src: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  matrices: readonly Matrix3[],
  fillMode: FillMode,
  cval: number,
): Float32Array {
  const [batch, height, width, channels] = shape;
  const perImage = height * width * channels;
  const out = new Float32Array(batch * perImage);
  const mapRow = indexMapper(fillMode, height);
  const mapCol = indexMapper(fillMode, width);
  const constant = fillMode === 'constant';
  const rowStride = width * channels;

  for (let b = 0; b < batch; b++) {
    const m = matrices[b]!;
    const base = b * perImage;
    let o = base;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++, o += channels) {
        const sr = snap(m[0] * r + m[1] * c + m[2]);
        const sc = snap(m[3] * r + m[4] * c + m[5]);
        if (constant && (sr < 0 || sr > height - 1 || sc < 0 || sc > width - 1)) {
          // `kkkk|abcd|kkkk`: outside the input there is only cval, no blending into the edge.
          for (let ch = 0; ch < channels; ch++) out[o + ch] = cval;
          continue;
        }
        const r0 = Math.floor(sr);
        const c0 = Math.floor(sc);
        const fr = sr - r0;
        const fc = sc - c0;
        const rowA = base + mapRow(r0) * rowStride;
        const rowB = base + mapRow(r0 + 1) * rowStride;
        const colA = mapCol(c0) * channels;
        const colB = mapCol(c0 + 1) * channels;
        const w00 = (1 - fr) * (1 - fc);
        const w01 = (1 - fr) * fc;
        const w10 = fr * (1 - fc);
        const w11 = fr * fc;
        for (let ch = 0; ch < channels; ch++) {
          out[o + ch] =
            w00 * src[rowA + colA + ch]! + w01 * src[rowA + colB + ch]! + w10 * src[rowB + colA + ch]! + w11 * src[rowB + colB + ch]!;
        }
      }
    }
  }
  return out;
}

/** Coordinates this close to a whole pixel are taken as that pixel, so 90° turns and flips stay exact. */
const SNAP = 1e-9;

function snap(v: number): number {
  const whole = Math.round(v);
  return Math.abs(v - whole) < SNAP ? whole : v;
}

/**
 * Where integer source index i (possibly outside [0, n)) reads from, per facts.md: nearest `aaaa|abcd|dddd`,
 * reflect `abcddcba|abcd|dcbaabcd`, wrap `abcdabcd|abcd|abcdabcd`. Constant only ever asks for in-range
 * neighbours (or n with weight 0), so it clamps.
 */
function indexMapper(mode: FillMode, n: number): (i: number) => number {
  switch (mode) {
    case 'reflect':
      return (i) => {
        const m = mod(i, 2 * n);
        return m < n ? m : 2 * n - 1 - m;
      };
    case 'wrap':
      return (i) => mod(i, n);
    case 'nearest':
    case 'constant':
      return (i) => (i < 0 ? 0 : i >= n ? n - 1 : i);
  }
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}
