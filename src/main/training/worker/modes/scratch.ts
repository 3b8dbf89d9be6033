import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { decodePixels, type DecodedPixels } from '../decoded-pixels';
import { setDropoutSeed, stepDropoutSeed } from '../dropout-seed';
import { modelInput, trainingAugmentParams } from '../image-batches';
import { writeModelMetadata } from '../../protocol/model-metadata';
import { saveLayersModelToDir } from '../model-io';
import { createWasmPool, type WasmPool } from '../parallel';
import { preprocess, SCRATCH_PREPROCESSING, type Preprocessing } from '../preprocess';
import { seededRandom, shuffled } from '@shared/random';
import { lossAndCorrect, runEpochs } from '../train-loop';
import { batchProgress, splitItems, summaryOf, type ModeResult, type RunContext } from './run-context';

/** The recipe's small CNN: 3 conv blocks 32-32-64 (3x3, ReLU, 2x2 max-pool), Dense 64, dropout 0.5. */
export function recipeCnn(inputSize: number, numClasses: number, seed: number): { model: tf.LayersModel; logits: tf.LayersModel } {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x = input as tf.SymbolicTensor;
  [32, 32, 64].forEach((filters, i) => {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, activation: 'relu', kernelInitializer: init(i), name: `conv${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(10), name: 'dense64' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5, seed, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const logitsOut = tf.layers.dense({ units: numClasses, kernelInitializer: init(11), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(logitsOut) as tf.SymbolicTensor;
  return {
    model: tf.model({ inputs: input, outputs: probs, name: 'scratch_cnn' }),
    logits: tf.model({ inputs: input, outputs: logitsOut }),
  };
}

/**
 * Decoded pixels of the run (training, validation, metrics sample) kept in memory up to this many
 * bytes, 8-bit: 2000 pictures at 150 px take 135 MB. Beyond it a split streams from disk every batch.
 */
const PIXEL_CACHE_BYTES = 1024 ** 3;

/**
 * Training pictures (plain) on which the per-epoch training metrics are measured when steps are
 * shared. Small: it is a forward pass over every one of them each epoch, on this thread alone.
 */
const TRAIN_METRICS_SAMPLE = 128;

/** Forward-only passes (validation, metrics) need no gradient memory, so they run in bigger batches. */
const EVAL_BATCH = 64;

/**
 * Data-parallel steps (this thread + one wasm worker per other core, gradients averaged) when the
 * backend is wasm on a multi-core machine; null otherwise, or when workers cannot start.
 */
async function gradientPool(ctx: RunContext, logits: tf.LayersModel, trainCount: number, batchSize: number): Promise<WasmPool | null> {
  if (tf.getBackend() !== 'wasm' || availableParallelism() < 2 || batchSize < 2 || trainCount < batchSize || process.env.LDS_POOL === '0')
    return null;
  let pool: WasmPool | null = null;
  try {
    pool = await createWasmPool({ threads: availableParallelism() });
    await pool.loadTrainingModel(logits, 'softmax-logits');
    return pool;
  } catch (error) {
    await pool?.close();
    ctx.send({ type: 'log', level: 'warn', message: `gradient workers unavailable, training on one core: ${(error as Error).message}` });
    return null;
  }
}

/** Logits of a preprocessed batch, in inference mode. */
type Forward = (x: tf.Tensor4D) => Promise<tf.Tensor2D>;

async function evaluatePixels(
  forward: Forward,
  source: DecodedPixels,
  indices: readonly number[],
  labels: readonly number[],
  p: Preprocessing,
  numClasses: number,
  checkpoint: () => Promise<void>,
): Promise<{ loss: number; acc: number }> {
  let lossSum = 0;
  let correctSum = 0;
  for (let b = 0; b < indices.length; b += EVAL_BATCH) {
    await checkpoint();
    const n = Math.min(EVAL_BATCH, indices.length - b);
    const pixels = await source.batch(indices.slice(b, b + n));
    const x = preprocess(pixels, p);
    pixels.dispose();
    const out = await forward(x).finally(() => x.dispose());
    const [l, c] = tf.tidy(() => {
      const r = lossAndCorrect(out, tf.tensor1d(labels.slice(b, b + n), 'int32'), numClasses);
      return [r.loss.dataSync()[0] as number, r.correct.dataSync()[0] as number];
    });
    out.dispose();
    lossSum += (l as number) * n;
    correctSum += c as number;
  }
  return { loss: lossSum / indices.length, acc: correctSum / indices.length };
}

function sameIndices(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, k) => v === b[k]);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export async function runScratch(ctx: RunContext): Promise<ModeResult> {
  const { start } = ctx;
  const { config, manifest } = start;
  const p = { ...SCRATCH_PREPROCESSING(config.inputSize), fit: config.resizeMode ?? 'stretch' };
  const { train, validation } = splitItems(manifest.items);
  if (!train.length) throw new Error('no labelled training images');
  const numClasses = manifest.classes.length;
  const checkpoint = () => ctx.checkpoint();
  const decodeTotal = train.length + validation.length;
  const decodeProgress = (offset: number) => (done: number) => ctx.progress('loading', offset + done, decodeTotal, 'decoding pictures');
  // Each picture is decoded and resized once per run, not once per epoch.
  const trainPixels = await decodePixels(train, p, { budgetBytes: PIXEL_CACHE_BYTES, checkpoint, onProgress: decodeProgress(0) });
  const valPixels = await decodePixels(validation, p, {
    budgetBytes: PIXEL_CACHE_BYTES - trainPixels.bytes,
    checkpoint,
    onProgress: decodeProgress(train.length),
  });
  const { model, logits } = recipeCnn(config.inputSize, numClasses, config.seed);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(config.learningRate);
  const params = trainingAugmentParams(config.augment);
  const pool = await gradientPool(ctx, logits, train.length, config.batchSize);
  // With shared gradient steps the batch's accuracy is not seen here: it is measured per epoch on a
  // fixed sample of plain training pictures instead.
  // A seeded draw across all classes (the manifest is ordered by class).
  const sample = pool ? Array.from(shuffled(train.length, seededRandom(config.seed ^ 0x5a3)).subarray(0, TRAIN_METRICS_SAMPLE)) : [];
  // Forward passes are split over the pool's threads like the steps.
  const forward: Forward = pool
    ? async (x) => (await pool.predict(logits, x)) as tf.Tensor2D
    : (x) => Promise.resolve(logits.predict(x) as tf.Tensor2D);
  // Model input for a training batch: variant index = epoch, so every epoch sees a new, reproducible
  // distortion of each picture.
  const prepare = async (indices: Int32Array, epoch: number): Promise<tf.Tensor4D> => {
    const pixels = await trainPixels.batch(indices);
    try {
      const items = Array.from(indices, (i) => train[i]!);
      return modelInput(pixels, items, p, params ? { params, seed: config.seed, variant: epoch } : null);
    } finally {
      pixels.dispose();
    }
  };
  let prepared: { indices: Int32Array; x: Promise<tf.Tensor4D> } | null = null;
  // Steps taken so far: each step's dropout masks come from (seed, step), new every step, reproducible.
  let steps = 0;
  try {
    const sampleSource =
      sample.length && !trainPixels.cached
        ? {
            pixels: await decodePixels(
              sample.map((i) => train[i]!),
              p,
              { budgetBytes: PIXEL_CACHE_BYTES, checkpoint },
            ),
            indices: range(sample.length),
          }
        : { pixels: trainPixels, indices: sample };
    const result = await runEpochs({
      shouldStop: () => ctx.stopRequested?.() ?? false,
      trainCount: train.length,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      patience: config.patience,
      variables,
      step: async (indices, epoch, next) => {
        const ready = prepared && sameIndices(prepared.indices, indices) ? prepared.x : null;
        prepared = null;
        const x = await (ready ?? prepare(indices, epoch));
        const items = Array.from(indices, (i) => train[i]!);
        const y = tf.tensor1d(
          items.map((i) => i.label),
          'int32',
        );
        if (pool) {
          const oneHot = tf.tidy(() => tf.oneHot(y, numClasses).toFloat());
          // gradientStep returns once this thread's share is computed and the workers' are posted:
          // the next batch is augmented while they finish.
          const step = steps++;
          const stepped = pool.gradientStep(logits, x, oneHot, (share) => stepDropoutSeed(config.seed, step, share));
          if (next) {
            const nextX = prepare(next, epoch);
            nextX.catch(() => undefined); // a failure surfaces when the next step awaits it
            prepared = { indices: next, x: nextX };
          }
          const { loss, grads } = await stepped;
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
          tf.dispose([x, y, oneHot, ...Object.values(grads)]);
          return { loss: loss * items.length, correct: 0 };
        }
        setDropoutSeed(logits, stepDropoutSeed(config.seed, steps++));
        let correct: tf.Scalar | null = null;
        const loss = optimizer.minimize(
          () => {
            const r = lossAndCorrect(logits.apply(x, { training: true }) as tf.Tensor2D, y, numClasses);
            correct = tf.keep(r.correct);
            return r.loss;
          },
          true,
          variables,
        );
        const [lossValue, correctValue] = [(await loss!.data())[0] ?? 0, (await (correct as tf.Scalar | null)?.data())?.[0] ?? 0];
        tf.dispose([x, y, loss!, ...(correct ? [correct as tf.Scalar] : [])]);
        return { loss: lossValue * items.length, correct: correctValue };
      },
      trainMetrics: sample.length
        ? async () =>
            evaluatePixels(
              forward,
              sampleSource.pixels,
              sampleSource.indices,
              sample.map((i) => train[i]!.label),
              p,
              numClasses,
              checkpoint,
            )
        : undefined,
      validate: async () =>
        validation.length
          ? evaluatePixels(
              forward,
              valPixels,
              range(validation.length),
              validation.map((i) => i.label),
              p,
              numClasses,
              checkpoint,
            )
          : null,
      onEpoch: (m) => ctx.epoch(m),
      onBatch: batchProgress(ctx, config.epochs),
      checkpoint,
    });
    ctx.progress('saving', 0, 1, 'saving model');
    // The saved config keeps the layer's own seed, not the last step's.
    setDropoutSeed(model, config.seed);
    await saveLayersModelToDir(model, ctx.modelDir);
    writeModelMetadata(ctx.modelDir, {
      tfjsVersion: tf.version.tfjs,
      runId: start.runId,
      mode: 'scratch',
      labels: manifest.classes,
      preprocessing: p,
      backbone: null,
      head: null,
    });
    return {
      ...summaryOf(result.epochs, result.bestEpoch),
      stoppedEarly: result.stoppedEarly,
      featureSeconds: null,
      imagesPerSecond: null,
      featuresComputed: 0,
      featuresFromCache: 0,
    };
  } finally {
    // A batch prepared ahead of a cancelled or failed step.
    const left = prepared as { x: Promise<tf.Tensor4D> } | null;
    await left?.x.then(
      (t) => t.dispose(),
      () => undefined,
    );
    await pool?.close();
    optimizer.dispose();
    model.dispose();
  }
}
