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
    // Locals, not m[i] per pixel: the loop below runs for every pixel of every variant training draws.
    const m0 = m[0];
    const m1 = m[1];
    const m2 = m[2];
    const m3 = m[3];
    const m4 = m[4];
    const m5 = m[5];
    const base = b * perImage;
    let o = base;
    for (let r = 0; r < height; r++) {
      const m0r = m0 * r;
      const m3r = m3 * r;
      for (let c = 0; c < width; c++, o += channels) {
        // The same sums in the same order as m[0] * r + m[1] * c + m[2]: results do not move by a bit.
        const sr = snap(m0r + m1 * c + m2);
        const sc = snap(m3r + m4 * c + m5);
        if (constant && (sr < 0 || sr > height - 1 || sc < 0 || sc > width - 1)) {
          // `kkkk|abcd|kkkk`: outside the input there is only cval, no blending into the edge.
          for (let ch = 0; ch < channels; ch++) out[o + ch] = cval;
          continue;
        }
        const r0 = Math.floor(sr);
        const c0 = Math.floor(sc);
        const fr = sr - r0;
        const fc = sc - c0;
        // Inside the picture every fill mode reads the pixel itself: skip the mappers (most pixels).
        const inside = r0 >= 0 && r0 < height - 1 && c0 >= 0 && c0 < width - 1;
        const rowA = base + (inside ? r0 : mapRow(r0)) * rowStride;
        const rowB = base + (inside ? r0 + 1 : mapRow(r0 + 1)) * rowStride;
        const colA = (inside ? c0 : mapCol(c0)) * channels;
        const colB = (inside ? c0 + 1 : mapCol(c0 + 1)) * channels;
        const w00 = (1 - fr) * (1 - fc);
        const w01 = (1 - fr) * fc;
        const w10 = fr * (1 - fc);
        const w11 = fr * fc;
        const a = rowA + colA;
        const bb = rowA + colB;
        const cc = rowB + colA;
        const d = rowB + colB;
        if (channels === 3) {
          out[o] = w00 * src[a]! + w01 * src[bb]! + w10 * src[cc]! + w11 * src[d]!;
          out[o + 1] = w00 * src[a + 1]! + w01 * src[bb + 1]! + w10 * src[cc + 1]! + w11 * src[d + 1]!;
          out[o + 2] = w00 * src[a + 2]! + w01 * src[bb + 2]! + w10 * src[cc + 2]! + w11 * src[d + 2]!;
          continue;
        }
        for (let ch = 0; ch < channels; ch++) {
          out[o + ch] = w00 * src[a + ch]! + w01 * src[bb + ch]! + w10 * src[cc + ch]! + w11 * src[d + ch]!;
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
