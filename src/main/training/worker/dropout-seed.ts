import type * as tf from '@tensorflow/tfjs';

/**
 * A seeded tfjs Dropout layer draws the same mask on every call (tf.dropout seeds a fresh generator
 * with the layer's seed each time), so with a fixed seed dropout stops regularizing: the recipe CNN
 * trained one fixed half of its dense layer and over-fitted (train 0.94, validation 0.76 after 50
 * epochs). A mask per step and per batch share, reproducible from the run's seed, restores it; the
 * saved model keeps the standard Dropout layer (exports and other tools load it unchanged).
 */
export function setDropoutSeed(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = seed;
  }
}

/** The dropout seed of one step's batch share: distinct for every (step, share) of a run. */
export function stepDropoutSeed(runSeed: number, step: number, share = 0): number {
  let h = Math.imul(runSeed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b) ^ Math.imul(share + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
