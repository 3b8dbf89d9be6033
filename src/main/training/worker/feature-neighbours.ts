/**
 * Every image's nearest neighbours by cosine similarity of its pooled backbone features, and the
 * near-identical pairs, from one matrix product per block of rows (the backend's matMul is far faster
 * than a JavaScript loop: 3000 images of 1280 features are 11 GFLOP).
 */
import * as tf from '@tensorflow/tfjs';
import { NeighbourCollector, unitRows, type NeighbourScan } from '../../evaluation';

/** Rows per product: 256 x 3000 similarities are 3 MB, small beside the features themselves. */
const BLOCK = 256;

export async function featureNeighbours(
  features: Float32Array,
  n: number,
  d: number,
  options: { k: number; minSimilarity: number; checkpoint?: () => Promise<void> },
): Promise<NeighbourScan> {
  const collector = new NeighbourCollector(n, options.k, options.minSimilarity);
  if (n === 0) return collector.result();
  const all = tf.tensor2d(unitRows(features, n, d), [n, d]);
  try {
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start);
      const block = tf.tidy(() => tf.matMul(all.slice([start, 0], [rows, d]), all, false, true));
      let sims: Float32Array;
      try {
        sims = Float32Array.from(block.dataSync());
      } finally {
        block.dispose();
      }
      collector.addBlock(start, sims);
      await options.checkpoint?.();
    }
  } finally {
    all.dispose();
  }
  return collector.result();
}
