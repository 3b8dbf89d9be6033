import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { decodeBatch, inputBatch, trainingAugmentParams } from '../image-batches';
import { writeModelMetadata } from '../model-metadata';
import { saveLayersModelToDir } from '../model-io';
import { createWasmPool, type WasmPool } from '../parallel';
import { preprocess, SCRATCH_PREPROCESSING, type Preprocessing } from '../preprocess';
import { seededRandom, shuffled } from '../random';
import { lossAndCorrect, runEpochs } from '../train-loop';
import { batchProgress, splitItems, summaryOf, type ModeResult, type RunContext } from './run-context';

/** The recipe's small CNN: 3 conv blocks 32-32-64 (3x3, ReLU, 2x2 max-pool), Dense 64, dropout 0.5. */
export function recipeCnn(inputSize: number, numClasses: number, seed: number): { model: tf.LayersModel; logits: tf.LayersModel } {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x = input as tf.SymbolicTensor;
  [32, 32, 64].forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, activation: 'relu', kernelInitializer: init(i), name: `conv${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(10), name: 'dense64' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5, seed, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const logitsOut = tf.layers.dense({ units: numClasses, kernelInitializer: init(11), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(logitsOut) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: probs, name: 'scratch_cnn' }), logits: tf.model({ inputs: input, outputs: logitsOut }) };
}

/** Validation pixels are decoded once and kept while they fit this budget; beyond it they stream. */
const VALIDATION_CACHE_BYTES = 256 * 1024 * 1024;

/** Training pictures (plain) on which the per-epoch training metrics are measured when steps are shared. */
const TRAIN_METRICS_SAMPLE = 256;

/**
 * Data-parallel steps (this thread + one wasm worker per other core, gradients averaged) when the
 * backend is wasm on a multi-core machine; null otherwise, or when workers cannot start.
 */
async function gradientPool(ctx: RunContext, logits: tf.LayersModel, trainCount: number, batchSize: number): Promise<WasmPool | null> {
  if (tf.getBackend() !== 'wasm' || availableParallelism() < 2 || batchSize < 2 || trainCount < batchSize || process.env.LDS_POOL === '0') return null;
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

async function evaluatePixels(logits: tf.LayersModel, pixels: tf.Tensor4D, labels: number[], p: Preprocessing, numClasses: number, batchSize: number): Promise<{ loss: number; acc: number }> {
  let lossSum = 0;
  let correctSum = 0;
  for (let b = 0; b < labels.length; b += batchSize) {
    const n = Math.min(batchSize, labels.length - b);
    const [l, c] = tf.tidy(() => {
      const x = preprocess(pixels.slice([b, 0, 0, 0], [n, -1, -1, -1]) as tf.Tensor4D, p);
      const r = lossAndCorrect(logits.predict(x) as tf.Tensor2D, tf.tensor1d(labels.slice(b, b + n), 'int32'), numClasses);
      return [r.loss.dataSync()[0] as number, r.correct.dataSync()[0] as number];
    });
    lossSum += (l as number) * n;
    correctSum += c as number;
  }
  return { loss: lossSum / labels.length, acc: correctSum / labels.length };
}

export async function runScratch(ctx: RunContext): Promise<ModeResult> {
  const { start } = ctx;
  const { config, manifest } = start;
  const p = SCRATCH_PREPROCESSING(config.inputSize);
  const { train, validation } = splitItems(manifest.items);
  if (!train.length) throw new Error('no labelled training images');
  const numClasses = manifest.classes.length;
  const { model, logits } = recipeCnn(config.inputSize, numClasses, config.seed);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(config.learningRate);
  const params = trainingAugmentParams(config.augment);
  const pixelBytes = validation.length * config.inputSize * config.inputSize * 3 * 4;
  const valPixels = pixelBytes <= VALIDATION_CACHE_BYTES && validation.length ? await decodeBatch(validation, p) : null;
  const pool = await gradientPool(ctx, logits, train.length, config.batchSize);
  // With shared gradient steps the batch's accuracy is not seen here: it is measured per epoch on a
  // fixed sample of plain training pictures instead.
  // A seeded draw across all classes (the manifest is ordered by class).
  const sample = pool ? Array.from(shuffled(train.length, seededRandom(config.seed ^ 0x5a3)).subarray(0, TRAIN_METRICS_SAMPLE), (i) => train[i]!) : [];
  const samplePixels = sample.length ? await decodeBatch(sample, p) : null;
  try {
    const result = await runEpochs({
      trainCount: train.length,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      patience: config.patience,
      variables,
      step: async (indices, epoch) => {
        const items = Array.from(indices, (i) => train[i]!);
        // Variant index = epoch: every epoch sees a new, reproducible distortion of each picture.
        const x = await inputBatch(items, p, params ? { params, seed: config.seed, variant: epoch } : null);
        const y = tf.tensor1d(items.map((i) => i.label), 'int32');
        if (pool) {
          const oneHot = tf.tidy(() => tf.oneHot(y, numClasses).toFloat());
          const { loss, grads } = await pool.gradientStep(logits, x, oneHot);
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
          tf.dispose([x, y, oneHot, ...Object.values(grads)]);
          return { loss: loss * items.length, correct: 0 };
        }
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
      trainMetrics: samplePixels ? async () => evaluatePixels(logits, samplePixels, sample.map((i) => i.label), p, numClasses, config.batchSize) : undefined,
      validate: async () => {
        if (!validation.length) return null;
        let lossSum = 0;
        let correctSum = 0;
        for (let b = 0; b < validation.length; b += config.batchSize) {
          await ctx.checkpoint();
          const items = validation.slice(b, b + config.batchSize);
          const x = valPixels
            ? tf.tidy(() => preprocess(valPixels.slice([b, 0, 0, 0], [items.length, -1, -1, -1]) as tf.Tensor4D, p))
            : await inputBatch(items, p, null);
          const [l, c] = tf.tidy(() => {
            const r = lossAndCorrect(logits.predict(x) as tf.Tensor2D, tf.tensor1d(items.map((i) => i.label), 'int32'), numClasses);
            return [r.loss.dataSync()[0] as number, r.correct.dataSync()[0] as number];
          });
          x.dispose();
          lossSum += (l as number) * items.length;
          correctSum += c as number;
        }
        return { loss: lossSum / validation.length, acc: correctSum / validation.length };
      },
      onEpoch: (m) => ctx.epoch(m),
      onBatch: batchProgress(ctx, config.epochs),
      checkpoint: () => ctx.checkpoint(),
    });
    ctx.progress('saving', 0, 1, 'saving model');
    await saveLayersModelToDir(model, ctx.modelDir);
    writeModelMetadata(ctx.modelDir, {
        tfjsVersion: tf.version.tfjs, runId: start.runId, mode: 'scratch', labels: manifest.classes, preprocessing: p, backbone: null, head: null });
    return { ...summaryOf(result.epochs, result.bestEpoch), stoppedEarly: result.stoppedEarly, featureSeconds: null, imagesPerSecond: null, featuresComputed: 0, featuresFromCache: 0 };
  } finally {
    await pool?.close();
    samplePixels?.dispose();
    valPixels?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
