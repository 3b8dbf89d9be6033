import * as tf from '@tensorflow/tfjs';
import { seededRandom, shuffled } from '@shared/random';

export interface EpochMetrics {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
  seconds: number;
}

export interface StepResult {
  loss: number;
  correct: number;
}

export interface WeightsCheckpoint {
  save(): unknown;
  restore(saved: unknown): void;
}

/** Best-weights snapshots of tfjs variables. */
export function variablesCheckpoint(variables: tf.Variable[]): WeightsCheckpoint {
  return {
    save: () => variables.map((v) => v.dataSync().slice() as Float32Array),
    restore: (saved) => {
      const values = saved as Float32Array[];
      tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(values[i] as Float32Array, v.shape))));
    },
  };
}

export interface LoopOptions {
  trainCount: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Epochs without a better validation loss before stopping; 0 = never stop early. */
  patience: number;
  /** The trainable state, snapshotted for the best-weights restore... */
  variables?: tf.Variable[];
  /** ...or, for state outside tfjs, how to copy it and put a copy back (wins over variables). */
  weights?: WeightsCheckpoint;
  /**
   * One optimisation step on the training items `indices`; returns its summed loss and correct count.
   * `next` is the epoch's following batch (null at its end), so a step may prepare it while it waits.
   */
  step(indices: Int32Array, epoch: number, next: Int32Array | null): Promise<StepResult>;
  /** Validation loss and accuracy, or null when there is no validation split. */
  validate(): Promise<{ loss: number; acc: number } | null>;
  /** Optional override of training metrics (e.g. computed without dropout on the whole split). */
  trainMetrics?(): Promise<{ loss: number; acc: number }>;
  onEpoch(metrics: EpochMetrics): void;
  onBatch(done: number, total: number, epoch: number): void;
  /** Resolves after giving the event loop a turn; throws when the run was cancelled. */
  checkpoint(): Promise<void>;
  /**
   * True once the user asked to stop and keep the best so far: the loop ends at the next batch if an
   * epoch has finished (the unfinished epoch is dropped and the best weights put back), else after the first.
   */
  shouldStop?(): boolean;
}

export interface LoopResult {
  epochs: EpochMetrics[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * The shared epoch loop: seeded shuffles, cancel checks between batches, early stopping on
 * validation loss with the best weights put back at the end.
 */
export async function runEpochs(options: LoopOptions): Promise<LoopResult> {
  const random = seededRandom(options.seed);
  const history: EpochMetrics[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: unknown = null;
  const weights = options.weights ?? variablesCheckpoint(options.variables ?? []);
  let sinceBest = 0;
  let stoppedEarly = false;
  let stopping = false;
  let partialEpoch = false;
  const batches = Math.ceil(options.trainCount / options.batchSize);

  epochs: for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    const order = shuffled(options.trainCount, random);
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < batches; b++) {
      await options.checkpoint();
      if (options.shouldStop?.()) stopping = true;
      if (stopping && bestWeights !== null) {
        partialEpoch = b > 0;
        stoppedEarly = true;
        break epochs;
      }
      const slice = (k: number) => order.subarray(k * options.batchSize, Math.min(options.trainCount, (k + 1) * options.batchSize));
      const result = await options.step(slice(b), epoch, b + 1 < batches ? slice(b + 1) : null);
      lossSum += result.loss;
      correct += result.correct;
      options.onBatch(b + 1, batches, epoch);
    }
    await options.checkpoint();
    if (options.shouldStop?.()) stopping = true;
    const train = options.trainMetrics
      ? await options.trainMetrics()
      : { loss: lossSum / options.trainCount, acc: correct / options.trainCount };
    const val = await options.validate();
    const metrics: EpochMetrics = {
      epoch,
      loss: train.loss,
      acc: train.acc,
      valLoss: val?.loss ?? null,
      valAcc: val?.acc ?? null,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(metrics);
    options.onEpoch(metrics);

    const score = val ? val.loss : train.loss;
    if (score < best - 1e-6) {
      best = score;
      bestEpoch = epoch;
      sinceBest = 0;
      bestWeights = weights.save();
    } else if (options.patience > 0 && ++sinceBest >= options.patience) {
      stoppedEarly = true;
      break;
    }
    if (stopping) {
      stoppedEarly = true;
      break;
    }
  }
  // A stop inside an epoch has moved the weights past the last finished one: put the best back then too.
  if (bestWeights !== null && (partialEpoch || bestEpoch !== history.length)) weights.restore(bestWeights);
  return { epochs: history, bestEpoch, stoppedEarly };
}

/** Mean softmax cross-entropy over the batch (what the optimiser minimises) and the correct count. */
export function lossAndCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): { loss: tf.Scalar; correct: tf.Scalar } {
  const oneHot = tf.oneHot(labels, numClasses).toFloat();
  const loss = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
  const correct = tf.sum(tf.equal(tf.argMax(logits, 1), labels).toFloat()) as tf.Scalar;
  return { loss, correct };
}
