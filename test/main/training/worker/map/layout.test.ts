import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../../src/shared/random';
import { layoutFeatures, normalise } from '../../../../../src/main/training/worker/map/layout';
import { projectTopComponents } from '../../../../../src/main/training/worker/map/pca';

/** Two gaussian blobs far apart in `d` dimensions; the first `perBlob` rows are blob A. */
function twoBlobs(perBlob: number, d: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(perBlob * 2 * d);
  for (let r = 0; r < perBlob * 2; r++) {
    const offset = r < perBlob ? 0 : 8;
    for (let c = 0; c < d; c++) out[r * d + c] = offset * (c % 3 === 0 ? 1 : 0) + (random() - 0.5) * 2;
  }
  return out;
}

function centroid(xy: Float32Array, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += xy[i * 2]!;
    y += xy[i * 2 + 1]!;
  }
  return [x / (to - from), y / (to - from)];
}

describe('dataset map layout', () => {
  it('is the same for the same seed and different for another', async () => {
    const features = twoBlobs(40, 64, 1);
    const a = await layoutFeatures(features, 80, 64, { seed: 7, dims: 16, nEpochs: 60 });
    const b = await layoutFeatures(features, 80, 64, { seed: 7, dims: 16, nEpochs: 60 });
    const c = await layoutFeatures(features, 80, 64, { seed: 8, dims: 16, nEpochs: 60 });
    expect(a.xy).toHaveLength(160);
    expect(Array.from(b.xy)).toEqual(Array.from(a.xy));
    expect(Array.from(c.xy)).not.toEqual(Array.from(a.xy));
  });

  it('keeps two well-separated clusters apart, every point nearer its own cluster', async () => {
    const perBlob = 50;
    const { xy } = await layoutFeatures(twoBlobs(perBlob, 128, 2), perBlob * 2, 128, { seed: 3, dims: 20, nEpochs: 100 });
    for (const v of xy) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    const a = centroid(xy, 0, perBlob);
    const b = centroid(xy, perBlob, perBlob * 2);
    const gap = Math.hypot(a[0] - b[0], a[1] - b[1]);
    expect(gap).toBeGreaterThan(0.5);
    for (let i = 0; i < perBlob * 2; i++) {
      const p = [xy[i * 2]!, xy[i * 2 + 1]!] as const;
      const own = i < perBlob ? a : b;
      const other = i < perBlob ? b : a;
      expect(Math.hypot(p[0] - own[0], p[1] - own[1])).toBeLessThan(Math.hypot(p[0] - other[0], p[1] - other[1]));
    }
  });

  it('lays out tiny sets without a neighbour graph, and none at all', async () => {
    const three = await layoutFeatures(new Float32Array([0, 0, 1, 1, 5, 5]), 3, 2, { seed: 1 });
    expect(three.xy).toHaveLength(6);
    expect([...three.xy].every(Number.isFinite)).toBe(true);
    expect((await layoutFeatures(new Float32Array(0), 0, 1280, { seed: 1 })).xy).toHaveLength(0);
    // Identical points: no spread to scale, still finite.
    const same = await layoutFeatures(new Float32Array(5 * 4).fill(1), 5, 4, { seed: 1, nEpochs: 20 });
    expect([...same.xy].every(Number.isFinite)).toBe(true);
  });

  it('stops at a checkpoint that throws', async () => {
    const stop = async (): Promise<void> => {
      throw new Error('cancelled');
    };
    await expect(layoutFeatures(twoBlobs(20, 16, 4), 40, 16, { seed: 1, checkpoint: stop })).rejects.toThrow('cancelled');
  });
});

describe('randomized PCA', () => {
  it('keeps the distances of data that lies in a low-dimensional subspace', () => {
    // 30 points in a 3-D subspace of 40-D: the top 3 components carry every distance.
    const random = seededRandom(5);
    const n = 30;
    const d = 40;
    const dirs = Array.from({ length: 3 }, () => Array.from({ length: d }, () => random() - 0.5));
    const rows = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const w = [random() * 4, random() * 4, random() * 4];
      for (let c = 0; c < d; c++) rows[r * d + c] = w[0]! * dirs[0]![c]! + w[1]! * dirs[1]![c]! + w[2]! * dirs[2]![c]!;
    }
    const p = projectTopComponents(rows, n, d, 3, seededRandom(1));
    const dist = (a: ArrayLike<number>, i: number, j: number, dim: number): number => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (a[i * dim + c]! - a[j * dim + c]!) ** 2;
      return Math.sqrt(s);
    };
    for (const [i, j] of [
      [0, 1],
      [3, 17],
      [8, 29],
    ] as const)
      expect(dist(p, i, j, 3)).toBeCloseTo(dist(rows, i, j, d), 3);
  });

  it('names the problem when the sizes do not match', () => {
    expect(() => projectTopComponents(new Float32Array(10), 3, 4, 2, seededRandom(1))).toThrow('expected 3×4 features, got 10 numbers');
  });

  it('normalise keeps the aspect ratio inside [-1, 1]', () => {
    const out = normalise(new Float32Array([0, 0, 10, 2]));
    expect(Array.from(out).map((v) => Number(v.toFixed(3)))).toEqual([-0.95, -0.19, 0.95, 0.19]);
  });
});
