/**
 * Randomized PCA (Halko, Martinsson & Tropp 2011): projects n feature rows onto an orthonormal basis
 * of their top-k principal subspace. UMAP only needs distances, and distances inside that subspace
 * are what an exact PCA would give, at a fraction of the cost of a d×d covariance eigensolve.
 */

/** Rows centred and projected onto k directions; returns n×k (row-major). Rows with d ≤ k come back centred only. */
export function projectTopComponents(
  rows: Float32Array,
  n: number,
  d: number,
  k: number,
  random: () => number,
  powerIterations = 2,
): Float64Array {
  if (rows.length !== n * d) throw new Error(`expected ${n}×${d} features, got ${rows.length} numbers`);
  const x = centred(rows, n, d);
  if (d <= k) return x;
  // A few more directions than kept make the top-k subspace converge in fewer iterations.
  const width = Math.min(d, k + 10);
  let basis = orthonormalColumns(gaussian(d, width, random), d, width);
  for (let i = 0; i < powerIterations; i++) {
    const y = orthonormalColumns(multiply(x, n, d, basis, width), n, width);
    basis = orthonormalColumns(multiplyTransposed(x, n, d, y, width), d, width);
  }
  // Order the directions by the variance along them, keep the top k.
  const projected = multiply(x, n, d, basis, width);
  const variance = new Float64Array(width);
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) variance[c]! += projected[r * width + c]! ** 2;
  const keep = [...variance.keys()].sort((a, b) => variance[b]! - variance[a]!).slice(0, k);
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) out[r * k + c] = projected[r * width + keep[c]!]!;
  return out;
}

function centred(rows: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c]! += rows[r * d + c]!;
  for (let c = 0; c < d; c++) mean[c]! /= Math.max(1, n);
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) x[r * d + c] = rows[r * d + c]! - mean[c]!;
  return x;
}

/** Standard normal d×w (Box-Muller on the seeded generator). */
function gaussian(d: number, w: number, random: () => number): Float64Array {
  const out = new Float64Array(d * w);
  for (let i = 0; i < out.length; i++) {
    const u = Math.max(random(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

/** x (n×d) · b (d×w) → n×w. */
function multiply(x: Float64Array, n: number, d: number, b: Float64Array, w: number): Float64Array {
  const out = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    const o = r * w;
    for (let c = 0; c < d; c++) {
      const v = x[r * d + c]!;
      if (v === 0) continue;
      const bo = c * w;
      for (let j = 0; j < w; j++) out[o + j]! += v * b[bo + j]!;
    }
  }
  return out;
}

/** xᵀ (d×n) · y (n×w) → d×w. */
function multiplyTransposed(x: Float64Array, n: number, d: number, y: Float64Array, w: number): Float64Array {
  const out = new Float64Array(d * w);
  for (let r = 0; r < n; r++) {
    const yo = r * w;
    for (let c = 0; c < d; c++) {
      const v = x[r * d + c]!;
      if (v === 0) continue;
      const o = c * w;
      for (let j = 0; j < w; j++) out[o + j]! += v * y[yo + j]!;
    }
  }
  return out;
}

/** Modified Gram-Schmidt on the w columns of an m×w matrix, in place; a column that vanishes stays zero. */
function orthonormalColumns(a: Float64Array, m: number, w: number): Float64Array {
  for (let j = 0; j < w; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += a[i * w + j]! * a[i * w + p]!;
      for (let i = 0; i < m; i++) a[i * w + j]! -= dot * a[i * w + p]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[i * w + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) a[i * w + j] = norm > 1e-10 ? a[i * w + j]! / norm : 0;
  }
  return a;
}
