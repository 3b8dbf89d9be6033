import { describe, expect, test } from 'vitest';
import { runEpochs, type WeightsCheckpoint } from '../../../../src/main/training/worker/train-loop';

/** A one-number "model": each batch adds 1 to it; validation loss is lowest at epoch 2. */
function fakeRun(stopAfterBatches: number | null) {
  let weight = 0;
  let batchesSeen = 0;
  let stop = false;
  const weights: WeightsCheckpoint = { save: () => weight, restore: (w) => (weight = w as number) };
  const valLoss = [5, 1, 3, 4, 6, 7, 8, 9];
  let epoch = 0;
  const result = runEpochs({
    trainCount: 40,
    batchSize: 10,
    epochs: 8,
    seed: 1,
    patience: 0,
    weights,
    step: async () => {
      weight += 1;
      batchesSeen++;
      if (stopAfterBatches !== null && batchesSeen === stopAfterBatches) stop = true;
      return { loss: 1, correct: 1 };
    },
    validate: async () => ({ loss: valLoss[epoch++] as number, acc: 0.5 }),
    onEpoch: () => {},
    onBatch: () => {},
    checkpoint: async () => {},
    shouldStop: () => stop,
  });
  return { result, weight: () => weight, batches: () => batchesSeen };
}

describe('stop and keep the best so far (issue 16, item 17)', () => {
  test('a stop mid-epoch drops that epoch and puts the best epoch’s weights back', async () => {
    // 4 batches per epoch; the stop comes during epoch 3 (batch 10 of 32).
    const run = fakeRun(10);
    const { epochs, bestEpoch, stoppedEarly } = await run.result;
    expect(epochs).toHaveLength(2);
    expect(bestEpoch).toBe(2);
    expect(stoppedEarly).toBe(true);
    expect(run.weight()).toBe(8);
    expect(run.batches()).toBe(10);
  });

  test('a stop before any epoch ended waits for the first, so there is a model to keep', async () => {
    const run = fakeRun(1);
    const { epochs, bestEpoch } = await run.result;
    expect(epochs).toHaveLength(1);
    expect(bestEpoch).toBe(1);
    expect(run.weight()).toBe(4);
  });

  test('without a stop every epoch runs', async () => {
    const run = fakeRun(null);
    expect((await run.result).epochs).toHaveLength(8);
  });
});
