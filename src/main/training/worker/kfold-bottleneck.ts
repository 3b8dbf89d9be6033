/**
 * Stratified k-fold cross-validation of the bottleneck recipe over train + validation. Features
 * come from (and go to) the same cache training uses, so k folds cost one extraction and k small
 * head trainings. The test split never takes part: its images are neither extracted nor scored.
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { evaluatePredictions, meanAndStd, stratifiedFolds } from '../../evaluation';
import type { BackboneSpec } from '../backbones/backbone-spec';
import { loadBackbone } from '../backbones/backbones';
import { DenseHead } from './dense-head';
import { FeatureCache } from '../protocol/feature-cache';
import type { Forward } from '../forward';
import { extractFeatures } from './modes/bottleneck';
import { featureNeighbours } from './feature-neighbours';
import type { kfoldResultSchema, ManifestItem, TrainConfig } from '../protocol/worker-protocol';
import { runEpochs } from './train-loop';

export interface KfoldOptions {
  items: readonly ManifestItem[];
  classes: readonly string[];
  backbone: BackboneSpec;
  featuresDir: string;
  k: number;
  config: TrainConfig;
  progress(done: number, total: number, message: string): void;
  checkpoint(): Promise<void>;
  /** The forward engine for the features (ONNX Runtime where the backbone converts). */
  forward?: Forward;
  /** Keep every pool image's probabilities from the head that did not see it. */
  outOfFold?: boolean;
  /** Also find the pool's feature-space neighbours (outliers and near-duplicates for label issues). */
  neighbours?: { k: number; minSimilarity: number };
}

export type KfoldResult = z.infer<typeof kfoldResultSchema>;
export type FoldResult = KfoldResult['folds'][number];

export async function kfoldBottleneck(options: KfoldOptions): Promise<KfoldResult> {
  const started = performance.now();
  const { k, config, classes } = options;
  const assignment = stratifiedFolds(options.items, k, config.seed, classes);
  const pool = options.items.filter((_, i) => (assignment[i] as number) >= 0);
  const poolFold = assignment.filter((f) => f >= 0);
  const backbone = await loadBackbone(options.backbone);
  let extraction;
  try {
    extraction = await extractFeatures(
      { progress: (_phase, done, total, message) => options.progress(done, total, message), checkpoint: options.checkpoint },
      backbone,
      new FeatureCache(options.featuresDir),
      pool.map((item) => ({ item, variant: null })),
      { params: null, seed: config.seed },
      null,
      options.forward ?? null,
    );
  } finally {
    backbone.dispose();
  }
  const dim = extraction.features.length / pool.length;
  const all = tf.tensor2d(extraction.features, [pool.length, dim]);
  const labels = pool.map((i) => i.label);
  const folds: FoldResult[] = [];
  const outOfFold: number[][] = pool.map(() => []);
  try {
    for (let f = 0; f < k; f++) {
      const trainIdx = poolFold.flatMap((x, i) => (x === f ? [] : [i]));
      const testIdx = poolFold.flatMap((x, i) => (x === f ? [i] : []));
      const xTrain = tf.gather(all, trainIdx);
      const yTrain = tf.tensor1d(
        trainIdx.map((i) => labels[i] as number),
        'int32',
      );
      const xTest = tf.gather(all, testIdx);
      const head = new DenseHead({
        inputDim: dim,
        numClasses: classes.length,
        hidden: config.hidden,
        dropout: config.dropout,
        seed: config.seed + f,
      });
      const optimizer = tf.train.adam(config.learningRate);
      let stepSeed = config.seed * 1000 + f;
      try {
        await runEpochs({
          trainCount: trainIdx.length,
          batchSize: config.batchSize,
          epochs: config.epochs,
          seed: config.seed + f,
          // No validation inside a fold: the held-out fold is scored once, at the end.
          patience: 0,
          variables: head.variables,
          step: async (indices) => {
            head.minimizeOn(optimizer, xTrain, yTrain, indices, stepSeed++);
            return { loss: 0, correct: 0 };
          },
          trainMetrics: async () => head.evaluate(xTrain, yTrain),
          validate: async () => null,
          onEpoch: () => {},
          onBatch: (done, total, epoch) =>
            options.progress(
              f * config.epochs * total + (epoch - 1) * total + done,
              k * config.epochs * total,
              `fold ${f + 1}/${k}, epoch ${epoch}/${config.epochs}`,
            ),
          checkpoint: options.checkpoint,
        });
        const probs = tf.tidy(() => tf.softmax(head.apply(xTest, false)).arraySync() as number[][]);
        testIdx.forEach((i, n) => (outOfFold[i] = probs[n] as number[]));
        const m = evaluatePredictions(
          probs,
          testIdx.map((i) => labels[i] as number),
          classes,
        );
        folds.push({
          fold: f + 1,
          trainCount: trainIdx.length,
          testCount: testIdx.length,
          accuracy: m.accuracy,
          loss: m.loss,
          macroF1: m.macro.f1,
        });
      } finally {
        tf.dispose([xTrain, yTrain, xTest]);
        optimizer.dispose();
        head.dispose();
      }
    }
  } finally {
    all.dispose();
  }
  let neighbours: KfoldResult['neighbours'];
  if (options.neighbours) {
    const neighboursStarted = performance.now();
    options.progress(0, 1, `neighbours of ${pool.length} images`);
    const scan = await featureNeighbours(extraction.features, pool.length, dim, { ...options.neighbours, checkpoint: options.checkpoint });
    const itemOf = assignment.flatMap((f, i) => (f >= 0 ? [i] : []));
    neighbours = {
      meanDistance: spreadToItems(
        assignment,
        scan.meanDistance.map((m) => [m]),
      ).map((row) => row[0] ?? null),
      pairs: scan.pairs.map(([a, b, s]) => [itemOf[a] as number, itemOf[b] as number, s]),
      k: scan.k,
      seconds: (performance.now() - neighboursStarted) / 1000,
    };
  }
  return {
    mode: 'bottleneck',
    k,
    classes: [...classes],
    images: pool.length,
    assignment,
    folds,
    accuracy: meanAndStd(folds.map((f) => f.accuracy)),
    loss: meanAndStd(folds.map((f) => f.loss)),
    macroF1: meanAndStd(folds.map((f) => f.macroF1)),
    featuresComputed: extraction.computed,
    featuresFromCache: extraction.fromCache,
    seconds: (performance.now() - started) / 1000,
    ...(options.outOfFold ? { outOfFold: spreadToItems(assignment, outOfFold) } : {}),
    ...(neighbours ? { neighbours } : {}),
  };
}

/** Pool-ordered rows back onto the manifest's order; items outside the pool (test) get []. */
function spreadToItems(assignment: readonly number[], poolRows: readonly number[][]): number[][] {
  let next = 0;
  return assignment.map((f) => (f >= 0 ? (poolRows[next++] as number[]) : []));
}
