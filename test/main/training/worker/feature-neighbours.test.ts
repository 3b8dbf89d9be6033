import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { seededRandom } from '@shared/random';
import { NeighbourCollector, similarityBlock, unitRows } from '../../../../src/main/evaluation/neighbours';
import { featureNeighbours } from '../../../../src/main/training/worker/feature-neighbours';

describe('feature neighbours by matrix product', () => {
  test('match the plain loop over more rows than one block, and leave no tensor behind', async () => {
    const random = seededRandom(7);
    const n = 300;
    const d = 16;
    const features = Float32Array.from({ length: n * d }, () => random());
    // Row 299 is a scaled copy of row 5: cosine 1, a pair at any threshold.
    for (let t = 0; t < d; t++) features[299 * d + t] = 3 * features[5 * d + t]!;
    const reference = new NeighbourCollector(n, 10, 0.99);
    reference.addBlock(0, similarityBlock(unitRows(features, n, d), n, d, 0, n));
    const expected = reference.result();
    const before = tf.memory().numTensors;
    let checkpoints = 0;
    const got = await featureNeighbours(features, n, d, { k: 10, minSimilarity: 0.99, checkpoint: async () => void checkpoints++ });
    expect(tf.memory().numTensors).toBe(before);
    expect(checkpoints).toBe(2);
    expect(got.k).toBe(10);
    got.meanDistance.forEach((m, i) => expect(m).toBeCloseTo(expected.meanDistance[i]!, 5));
    expect(got.pairs.map(([a, b]) => [a, b])).toEqual(expected.pairs.map(([a, b]) => [a, b]));
    expect(got.pairs.map(([a, b]) => [a, b])).toContainEqual([5, 299]);
    expect(await featureNeighbours(new Float32Array(0), 0, d, { k: 10, minSimilarity: 0.9 })).toEqual({
      meanDistance: [],
      pairs: [],
      k: 0,
    });
  });
});
