import type { SampledTransform } from './sample';

/** Row-major 3x3 matrix in Keras' (row, col) coordinates: maps an output point to where it is read from. */
export type Matrix3 = [number, number, number, number, number, number, number, number, number];

const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9) as Matrix3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    }
  }
  return out;
}

/**
 * Keras' apply_affine_transform: rotation · shift · shear · zoom, composed about the image centre
 * (transform_matrix_offset_center), then the flips Keras applies afterwards folded in, so the whole
 * geometric change is ONE matrix and ONE resample. Identity parts are skipped, as Keras does, which
 * keeps an untouched or only flipped image bit-exact.
 */
export function transformMatrix(t: SampledTransform, width: number, height: number): Matrix3 {
  const parts: Matrix3[] = [];
  const then = (next: Matrix3): void => {
    parts.push(next);
  };
  if (t.theta !== 0) {
    const a = (t.theta * Math.PI) / 180;
    then([Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1]);
  }
  if (t.tx !== 0 || t.ty !== 0) then([1, 0, t.tx, 0, 1, t.ty, 0, 0, 1]);
  if (t.shear !== 0) {
    const s = (t.shear * Math.PI) / 180;
    then([1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  }
  if (t.zx !== 1 || t.zy !== 1) then([t.zx, 0, 0, 0, t.zy, 0, 0, 0, 1]);

  let result: Matrix3 = IDENTITY;
  if (parts.length) {
    const m = parts.reduce(multiply);
    const ox = height / 2 - 0.5;
    const oy = width / 2 - 0.5;
    result = multiply(multiply([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
  }
  // Keras flips the transformed image: output (r, c) shows transformed (r, W-1-c).
  if (t.flip_horizontal) result = multiply(result, [1, 0, 0, 0, -1, width - 1, 0, 0, 1]);
  if (t.flip_vertical) result = multiply(result, [-1, 0, height - 1, 0, 1, 0, 0, 0, 1]);
  return result;
}

/** Where output pixel (row, col) reads from. */
export function applyMatrix(m: Matrix3, row: number, col: number): [number, number] {
  return [m[0] * row + m[1] * col + m[2], m[3] * row + m[4] * col + m[5]];
}
