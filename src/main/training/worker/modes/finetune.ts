import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { topBlock } from '../../backbones/backbones';
import { DenseHead } from '../dense-head';
import { batchInput, runPipelined } from '../../forward';
import { trainingAugmentParams } from '../image-batches';
import { readModelMetadata, writeModelMetadata } from '../../protocol/model-metadata';
import { loadLayersModelFromDir, saveLayersModelToDir } from '../model-io';
import type { ManifestItem } from '../../protocol/worker-protocol';
import { lossAndCorrect, runEpochs } from '../train-loop';
import { batchProgress, splitItems, summaryOf, type ModeResult, type RunContext } from './run-context';

/** Fine-tuning needs a trained head: a random one's large gradients would wreck the pretrained weights. */
export function checkFinetuneParent(parentModelDir: string | null): void {
  if (!parentModelDir) throw new Error('fine-tune needs a finished bottleneck run to start from (--from RUN): its trained head');
  if (!existsSync(join(parentModelDir, 'model.json')))
    throw new Error(`fine-tune: ${parentModelDir} holds no saved model: the parent run did not finish`);
  const meta = readModelMetadata(parentModelDir);
  if (meta.mode === 'scratch' || !meta.backbone || !meta.head)
    throw new Error(`fine-tune: run ${meta.runId} has no backbone with a trained head (it is a ${meta.mode} run)`);
}

/** scale = gamma / sqrt(var + eps), offset = beta - mean * scale, from a BatchNormalization layer's weights. */
export function frozenBatchNormAffine(layer: tf.layers.Layer): { scale: tf.Tensor1D; offset: tf.Tensor1D } {
  const config = layer.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean };
  const weights = layer.getWeights();
  // Keras order: gamma (if scale), beta (if center), moving mean, moving variance.
  const gamma = config.scale === false ? null : weights[0];
  const beta = config.center === false ? null : weights[config.scale === false ? 0 : 1];
  const [mean, variance] = weights.slice(-2) as [tf.Tensor1D, tf.Tensor1D];
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(variance, config.epsilon ?? 1e-3));
    const scale = (gamma ? tf.mul(inv, gamma) : inv) as tf.Tensor1D;
    const offset = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale)) as tf.Tensor1D;
    return { scale, offset };
  });
}

export async function runFinetune(ctx: RunContext): Promise<ModeResult> {
  const { start } = ctx;
  const { config, manifest } = start;
  checkFinetuneParent(start.parentModelDir);
  const parentDir = start.parentModelDir as string;
  const meta = readModelMetadata(parentDir);
  if (!start.backbone) throw new Error("fine-tune needs the parent run's backbone");
  if (meta.labels.join('\n') !== manifest.classes.join('\n')) {
    throw new Error(
      `fine-tune: the classes changed since run ${meta.runId} (${meta.labels.join(', ')} then, ${manifest.classes.join(', ')} now): train a new bottleneck run first`,
    );
  }
  ctx.progress('loading', 0, 1, `loading run ${meta.runId}`);
  const model = await loadLayersModelFromDir(parentDir);
  const spec = { ...start.backbone, topBlockStart: meta.backbone?.topBlockStart ?? start.backbone.topBlockStart };
  const { entry, layers, forward } = topBlock(model, spec);
  const headConfig = {
    inputDim: layers[layers.length - 1]!.outputShape[3] as number,
    numClasses: manifest.classes.length,
    hidden: meta.head!.hidden,
    dropout: meta.head!.dropout,
    seed: config.seed,
  };
  const head = DenseHead.fromModel(model, headConfig);
  // Batch-norm layers stay frozen and run in inference mode: their statistics from ImageNet are
  // better than any a batch of 16 could give.
  const blockVariables = layers
    .filter((l) => l.getClassName() !== 'BatchNormalization')
    .flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  const variables = [...blockVariables, ...head.variables];
  const optimizer = tf.train.momentum(config.learningRate, 0.9);
  const params = trainingAugmentParams(config.augment);
  const { train, validation } = splitItems(manifest.items);
  if (!train.length) throw new Error('no labelled training images');
  const numClasses = manifest.classes.length;
  const p = spec.preprocessing;

  // Frozen batch-norm in inference mode is a fixed per-channel affine; applied as one multiply-add its
  // gradient is a cheap broadcast, where tfjs' batchNorm gradient tiles to the full activation shape
  // (Tile alone was ~60% of a step on wasm).
  const affine = new Map(layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => [l, frozenBatchNormAffine(l)]));
  const topForward = (x: tf.Tensor4D): tf.Tensor2D => {
    const h = forward(x, (layer, input) => {
      const bn = affine.get(layer);
      return bn ? tf.add(tf.mul(input as tf.Tensor, bn.scale), bn.offset) : (layer.apply(input, { training: false }) as tf.Tensor);
    });
    return tf.mean(h, [1, 2]) as tf.Tensor2D;
  };
  // The frozen base below the block runs on the forward engine (ONNX Runtime where it converts).
  const lower = await ctx.forward.open(model, entry.sourceLayer.name);
  const inputOf = (items: readonly ManifestItem[], variant: number | null): Promise<Float32Array> =>
    batchInput(items, p, params && variant !== null ? { params, seed: config.seed, variant } : null);
  /** Activations entering the unfrozen block, for items under an augmentation variant (or plain). */
  const entryOf = async (items: readonly ManifestItem[], variant: number | null): Promise<tf.Tensor4D> =>
    tf.tensor4d(await lower.run(await inputOf(items, variant), items.length, { transfer: true }), [items.length, ...entryShape] as [
      number,
      number,
      number,
      number,
    ]);
  const entryShape = (entry.shape as number[]).slice(1);
  const entrySize = entryShape.reduce((a, b) => a * b, 1);
  // Optional on CPU: K variants' activations kept in memory (small: e.g. 7x7x56 floats per image),
  // so an epoch runs only the top block. Otherwise images are decoded and augmented per batch.
  const cached: Float32Array[] = [];
  const fillCache = async (list: readonly ManifestItem[], variant: number | null): Promise<Float32Array> => {
    const out = new Float32Array(list.length * entrySize);
    await runPipelined(lower, {
      count: list.length,
      batchSize: 16,
      checkpoint: ctx.checkpoint,
      input: (from, to) => inputOf(list.slice(from, to), variant),
      output: (from, to, a) => {
        out.set(a, from * entrySize);
        ctx.progress(
          'features',
          to,
          list.length,
          `activations for the top block (${variant === null ? 'plain' : `variant ${variant}`}, ${lower.provider ?? 'tfjs'})`,
        );
      },
    });
    return out;
  };

  try {
    const featureStart = performance.now();
    for (let k = 0; k < config.cacheVariants; k++) cached.push(await fillCache(train, params ? k : null));
    const valEntry = validation.length ? await fillCache(validation, null) : null;
    const featureSeconds = (performance.now() - featureStart) / 1000;

    const result = await runEpochs({
      shouldStop: () => ctx.stopRequested?.() ?? false,
      trainCount: train.length,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      patience: config.patience,
      variables,
      step: async (indices, epoch) => {
        const items = Array.from(indices, (i) => train[i]!);
        let a: tf.Tensor4D;
        if (cached.length) {
          const source = cached[(epoch - 1) % cached.length] as Float32Array;
          const rows = new Float32Array(items.length * entrySize);
          indices.forEach((i, j) => rows.set(source.subarray(i * entrySize, (i + 1) * entrySize), j * entrySize));
          a = tf.tensor4d(rows, [items.length, ...entryShape] as [number, number, number, number]);
        } else {
          a = await entryOf(items, params ? epoch : null);
        }
        const y = tf.tensor1d(
          items.map((i) => i.label),
          'int32',
        );
        let correct: tf.Scalar | null = null;
        const loss = optimizer.minimize(
          () => {
            const r = lossAndCorrect(head.apply(topForward(a), true), y, numClasses);
            correct = tf.keep(r.correct);
            return r.loss;
          },
          true,
          variables,
        )!;
        const lossValue = (await loss.data())[0] ?? 0;
        const correctValue = (await (correct as tf.Scalar | null)?.data())?.[0] ?? 0;
        tf.dispose([a, y, loss, ...(correct ? [correct as tf.Scalar] : [])]);
        return { loss: lossValue * items.length, correct: correctValue };
      },
      validate: async () => {
        if (!valEntry) return null;
        let lossSum = 0;
        let correctSum = 0;
        for (let b = 0; b < validation.length; b += 32) {
          await ctx.checkpoint();
          const n = Math.min(32, validation.length - b);
          const [l, c] = tf.tidy(() => {
            const a = tf.tensor4d(valEntry.subarray(b * entrySize, (b + n) * entrySize), [n, ...entryShape] as [
              number,
              number,
              number,
              number,
            ]);
            const y = tf.tensor1d(
              validation.slice(b, b + n).map((i) => i.label),
              'int32',
            );
            const r = lossAndCorrect(head.apply(topForward(a), false), y, numClasses);
            return [r.loss.dataSync()[0] as number, r.correct.dataSync()[0] as number];
          });
          lossSum += (l as number) * n;
          correctSum += c as number;
        }
        return { loss: lossSum / validation.length, acc: correctSum / validation.length };
      },
      onEpoch: (m) => ctx.epoch(m),
      onBatch: batchProgress(ctx, config.epochs),
      checkpoint: () => ctx.checkpoint(),
    });

    ctx.progress('saving', 0, 1, 'saving model');
    // The block's layers are the model's own, already updated; the head's weights go back in.
    const headLayers = model.layers.filter((l) => l.name === 'head_output' || l.name.startsWith('head_dense_'));
    headLayers.forEach((l, i) => l.setWeights([head.variables[2 * i] as tf.Variable, head.variables[2 * i + 1] as tf.Variable]));
    await saveLayersModelToDir(model, ctx.modelDir);
    writeModelMetadata(ctx.modelDir, {
      tfjsVersion: tf.version.tfjs,
      runId: start.runId,
      mode: 'finetune',
      labels: manifest.classes,
      preprocessing: p,
      backbone: meta.backbone,
      head: meta.head,
    });
    return {
      ...summaryOf(result.epochs, result.bestEpoch),
      stoppedEarly: result.stoppedEarly,
      featureSeconds: config.cacheVariants || valEntry ? featureSeconds : null,
      imagesPerSecond: null,
      featuresComputed: 0,
      featuresFromCache: 0,
    };
  } finally {
    await lower.dispose();
    for (const bn of affine.values()) tf.dispose([bn.scale, bn.offset]);
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose forgets SGD's learning-rate scalar.
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    head.dispose();
    model.dispose();
  }
}
