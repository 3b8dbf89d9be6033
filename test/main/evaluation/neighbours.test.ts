import { describe, expect, test } from 'vitest';
import {
  conflictingDuplicateGroups,
  NeighbourCollector,
  outlierFence,
  outlierScores,
  quantile,
  rankOutliers,
  similarityBlock,
  unitRows,
} from '../../../src/main/evaluation/neighbours';

// Four points in 2-D worked by hand: a and b at 0°, c at 60°, d at 180° (opposite a).
const features = Float32Array.from([2, 0, 5, 0, 1, Math.sqrt(3), -3, 0]);
const unit = unitRows(features, 4, 2);

describe('feature neighbours, worked by hand', () => {
  test('rows are scaled to length 1; a zero row stays zero; a wrong length is refused', () => {
    expect(Array.from(unit).map((v) => Number(v.toFixed(6)))).toEqual([1, 0, 1, 0, 0.5, 0.866025, -1, 0]);
    expect(Array.from(unitRows(Float32Array.from([0, 0, 3, 4]), 2, 2))).toEqual([0, 0, 0.6000000238418579, 0.800000011920929]);
    expect(() => unitRows(new Float32Array(5), 2, 2)).toThrow('5 feature values for 2 rows of 2');
  });

  test('the similarity block is the cosine of every pair', () => {
    const sims = Array.from(similarityBlock(unit, 4, 2, 1, 3)).map((v) => Number(v.toFixed(6)));
    // rows b and c against a, b, c, d
    expect(sims).toEqual([1, 1, 0.5, -1, 0.5, 0.5, 1, -0.5]);
  });

  test('k nearest: mean distance 1 - cos over the k most similar others; pairs at the threshold once', () => {
    const c = new NeighbourCollector(4, 2, 0.5);
    c.addBlock(0, similarityBlock(unit, 4, 2, 0, 4));
    const r = c.result();
    // a: b (1), c (0.5) -> (0 + 0.5) / 2; b the same; c: a, b (0.5 each) -> 0.5; d: c (-0.5), a (-1) -> (1.5 + 2) / 2
    expect(r.meanDistance.map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.25, 0.5, 1.75]);
    expect(r.pairs.map(([a, b, s]) => [a, b, Number(s.toFixed(6))])).toEqual([
      [0, 1, 1],
      [0, 2, 0.5],
      [1, 2, 0.5],
    ]);
    expect(r.k).toBe(2);
  });

  test('blocks of any size give the same answer; k shrinks to n - 1; a misfit block is refused', () => {
    const whole = new NeighbourCollector(4, 10, 0.9);
    whole.addBlock(0, similarityBlock(unit, 4, 2, 0, 4));
    const split = new NeighbourCollector(4, 10, 0.9);
    split.addBlock(0, similarityBlock(unit, 4, 2, 0, 1));
    split.addBlock(1, similarityBlock(unit, 4, 2, 1, 4));
    expect(split.result()).toEqual(whole.result());
    expect(whole.result().k).toBe(3);
    expect(() => split.addBlock(3, new Float32Array(8))).toThrow('does not fit');
    expect(new NeighbourCollector(1, 10, 0.9).result()).toEqual({ meanDistance: [0], pairs: [], k: 0 });
  });
});

describe('outlier scores', () => {
  test('quantiles interpolate as numpy does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  test('score = 1 - exp(-d / median d): the median image scores 1 - 1/e, farther scores higher', () => {
    const s = outlierScores([0.2, 0.4, 0.8]);
    expect(s[1]).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(s[0]).toBeCloseTo(1 - Math.exp(-0.5), 12);
    expect(s[2]).toBeCloseTo(1 - Math.exp(-2), 12);
    // All distances zero (identical images): no division by zero, every score 0.
    expect(outlierScores([0, 0, 0])).toEqual([0, 0, 0]);
  });

  test("every image beyond cleanlab's fence Q3 + 1.7 IQR is listed, most outlying first", () => {
    const d = [0.3, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37, 0.6, 0.9];
    // Q1 = 0.3225, Q3 = 0.3675, fence = 0.3675 + 1.7 * 0.045 = 0.444
    expect(outlierFence(d)).toBeCloseTo(0.444, 12);
    expect(rankOutliers(d).map((o) => o.index)).toEqual([9, 8]);
    const s = outlierScores(d);
    expect(rankOutliers(d).map((o) => o.score)).toEqual([s[9], s[8]]);
    expect(rankOutliers([0.1, 0.9])).toEqual([]);
  });

  test('inside the fence the top 1% is still listed (at least one image); ties go to the lower index', () => {
    // 26 images, as spread as a small set's are: the odd one (0.70) stays under the fence
    // (Q1 0.4625, Q3 0.5875: 0.5875 + 1.7 * 0.125 = 0.80) yet ranks first.
    const d = Array.from({ length: 25 }, (_, i) => 0.4 + i * 0.01);
    d.splice(8, 0, 0.7);
    expect(outlierFence(d)).toBeCloseTo(0.8, 9);
    expect(rankOutliers(d).map((o) => o.index)).toEqual([8]);
    // 250 equal distances: the top 1% is 3 images, all tied, by index.
    expect(rankOutliers(new Array<number>(250).fill(0.4)).map((o) => o.index)).toEqual([0, 1, 2]);
  });
});

describe('near-duplicate groups with different labels', () => {
  test('pairs join into groups; only groups whose labels differ are listed, with their weakest link', () => {
    const labels = [0, 1, 0, 0, 1, 1, 0];
    const groups = conflictingDuplicateGroups(
      [
        [0, 1, 0.95], // 0-1-2 chained: labels 0, 1, 0
        [1, 2, 0.9],
        [3, 6, 0.99], // same label: not a conflict
        [4, 5, 0.97], // same label
      ],
      labels,
    );
    expect(groups).toEqual([{ members: [0, 1, 2], similarity: 0.9 }]);
  });

  test('a cycle keeps its lowest link; closest groups come first; unlabelled rows take no part', () => {
    const groups = conflictingDuplicateGroups(
      [
        [0, 1, 0.96],
        [1, 2, 0.97],
        [0, 2, 0.86],
        [3, 4, 0.99],
        [4, 5, 0.99],
      ],
      [0, 1, 1, 0, 1, -1],
    );
    expect(groups).toEqual([
      { members: [3, 4], similarity: 0.99 },
      { members: [0, 1, 2], similarity: 0.86 },
    ]);
    expect(conflictingDuplicateGroups([], [0, 1])).toEqual([]);
  });
});
