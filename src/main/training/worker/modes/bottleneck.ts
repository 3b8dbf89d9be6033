import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { backboneKey, loadBackbone, type LoadedBackbone } from '../../backbones/backbones';
import { DenseHead } from '../dense-head';
import { FeatureCache } from '../../protocol/feature-cache';
import { createWasmPool, type WasmPool } from '../parallel';
import { inputBatch, trainingAugmentParams } from '../image-batches';
import { batchInput, globalAveragePool, runPipelined, type Forward, type ForwardEngine } from '../../forward';
import { writeModelMetadata } from '../../protocol/model-metadata';
import { saveLayersModelToDir } from '../model-io';
import type { ManifestItem } from '../../protocol/worker-protocol';
import { LinearHead } from '../linear-head';
import { runEpochs, variablesCheckpoint } from '../train-loop';
import { batchProgress, splitItems, summaryOf, type ModeResult, type RunContext } from './run-context';

const EXTRACT_BATCH = 16;

interface Extraction {
  /** Pooled features, one row per requested (item, variant). */
  features: Float32Array;
  computed: number;
  fromCache: number;
  seconds: number;
}

/**
 * Pooled backbone features for items (variant null = plain picture), from the cache where present;
 * the rest computed in batches and stored. Exported for the feature-cache tests and the benchmark.
 */
export async function extractFeatures(
  ctx: Pick<RunContext, 'progress' | 'checkpoint'>,
  backbone: LoadedBackbone,
  cache: FeatureCache,
  requests: readonly { item: ManifestItem; variant: number | null }[],
  augment: { params: Record<string, unknown> | null; seed: number },
  pool: WasmPool | null | (() => Promise<WasmPool | null>) = null,
  forward: Forward | null = null,
): Promise<Extraction> {
  const started = performance.now();
  const key = `${backboneKey(backbone.spec)}|gap`;
  const dim = (backbone.features.outputs[0]?.shape[3] as number | undefined) ?? 0;
  const out = new Float32Array(requests.length * dim);
  const missing: number[] = [];
  const variantName = (v: number | null): string => FeatureCache.variantName(v === null ? null : { seed: augment.seed, index: v });
  requests.forEach((r, i) => {
    const cached = cache.get(r.item.sha256, key, variantName(r.variant), dim);
    if (cached) out.set(cached, i * dim);
    else missing.push(i);
  });
  const store = (i: number, row: Float32Array): void => {
    out.set(row, i * dim);
    const r = requests[i] as { item: ManifestItem; variant: number | null };
    cache.put(r.item.sha256, key, variantName(r.variant), row.slice());
  };
  const rate = (done: number): number => done / Math.max(1e-3, (performance.now() - started) / 1000);
  const result = (): Extraction => ({
    features: out,
    computed: missing.length,
    fromCache: requests.length - missing.length,
    seconds: (performance.now() - started) / 1000,
  });
  if (!missing.length) return result();
  // Opened only when something is missing: a cached run never converts or starts a session.
  const engine = forward ? await forward.open(backbone.model, backbone.spec.featureLayer) : null;
  try {
    if (engine?.engine === 'onnxruntime') {
      await extractWithEngine(ctx, engine, backbone.spec.preprocessing, requests, missing, augment, store, rate);
      return result();
    }
  } finally {
    await engine?.dispose();
  }
  if (typeof pool === 'function') {
    // ONNX Runtime spreads one run over the cores itself; the wasm workers are TF.js's way to.
    const workers = await pool();
    try {
      return await extractFeatures(ctx, backbone, cache, requests, augment, workers);
    } finally {
      await workers?.close();
    }
  }
  if (pool && missing.length) {
    // One wasm instance per core (threads do not work under Node), decoding overlapped with compute.
    const controller = new AbortController();
    const result = await pool.extractFeatures(
      missing.map((i) => requests[i] as { item: ManifestItem; variant: number | null }),
      { params: augment.params, seed: augment.seed },
      {
        signal: controller.signal,
        onProgress: (done, total) => {
          ctx.progress(
            'features',
            done,
            total,
            `features ${done}/${total} (${rate(done).toFixed(0)} img/s, ${pool.threads} workers)`,
            (total - done) / rate(done),
          );
          ctx.checkpoint().catch(() => controller.abort());
        },
      },
    );
    await ctx.checkpoint();
    missing.forEach((i, j) => store(i, result.features.subarray(j * dim, (j + 1) * dim)));
    return {
      features: out,
      computed: missing.length,
      fromCache: requests.length - missing.length,
      seconds: (performance.now() - started) / 1000,
    };
  }
  const params = trainingAugmentParams(augment.params);
  for (let b = 0; b < missing.length; b += EXTRACT_BATCH) {
    await ctx.checkpoint();
    const chunk = missing.slice(b, b + EXTRACT_BATCH);
    // Plain and augmented requests go through separately: only the latter take the augmentation op.
    for (const augmented of [false, true]) {
      const part = chunk.filter((i) => (requests[i]?.variant !== null) === augmented);
      if (!part.length) continue;
      const reqs = part.map((i) => requests[i] as { item: ManifestItem; variant: number | null });
      const x = await inputBatch(
        reqs.map((r) => r.item),
        backbone.spec.preprocessing,
        augmented && params ? { params, seed: augment.seed, variant: reqs.map((r) => r.variant ?? 0) } : null,
      );
      const pooled = tf.tidy(() => tf.mean(backbone.features.predict(x) as tf.Tensor4D, [1, 2]));
      x.dispose();
      const data = (await pooled.data()) as Float32Array;
      pooled.dispose();
      part.forEach((i, j) => store(i, data.subarray(j * dim, (j + 1) * dim)));
    }
    const done = Math.min(missing.length, b + EXTRACT_BATCH);
    ctx.progress(
      'features',
      done,
      missing.length,
      `features ${done}/${missing.length} (${rate(done).toFixed(0)} img/s)`,
      (missing.length - done) / rate(done),
    );
  }
  return {
    features: out,
    computed: missing.length,
    fromCache: requests.length - missing.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The forward engine's path: plain requests, then augmented ones, each decoded ahead while the
 * engine runs the batch before (forward/pipeline.ts), pooled in JS and stored.
 */
async function extractWithEngine(
  ctx: Pick<RunContext, 'progress' | 'checkpoint'>,
  engine: ForwardEngine,
  p: LoadedBackbone['spec']['preprocessing'],
  requests: readonly { item: ManifestItem; variant: number | null }[],
  missing: readonly number[],
  augment: { params: Record<string, unknown> | null; seed: number },
  store: (i: number, row: Float32Array) => void,
  rate: (done: number) => number,
): Promise<void> {
  const params = trainingAugmentParams(augment.params);
  const dim = engine.outputShape[engine.outputShape.length - 1] as number;
  let done = 0;
  for (const augmented of [false, true]) {
    const part = missing.filter((i) => (requests[i]?.variant !== null) === augmented);
    const reqs = part.map((i) => requests[i] as { item: ManifestItem; variant: number | null });
    await runPipelined(engine, {
      count: part.length,
      batchSize: EXTRACT_BATCH,
      checkpoint: ctx.checkpoint,
      input: (from, to) => {
        const slice = reqs.slice(from, to);
        return batchInput(
          slice.map((r) => r.item),
          p,
          augmented && params ? { params, seed: augment.seed, variant: slice.map((r) => r.variant ?? 0) } : null,
        );
      },
      output: (from, to, y) => {
        const pooled = globalAveragePool(y, to - from, engine.outputShape);
        for (let j = from; j < to; j++) store(part[j] as number, pooled.subarray((j - from) * dim, (j - from + 1) * dim));
        done += to - from;
        ctx.progress(
          'features',
          done,
          missing.length,
          `features ${done}/${missing.length} (${rate(done).toFixed(0)} img/s, ${engine.provider ?? 'tfjs'})`,
          (missing.length - done) / rate(done),
        );
      },
    });
  }
}

/** Below this many images, starting workers (each loads the backbone) costs more than it saves. */
const POOL_MIN_IMAGES = 200;

/** A worker per core when the backend is wasm on a multi-core machine, and there is enough to compute. */
async function poolFor(ctx: RunContext, backbone: LoadedBackbone, count: number): Promise<WasmPool | null> {
  if (tf.getBackend() !== 'wasm' || availableParallelism() < 2 || count < POOL_MIN_IMAGES || process.env.LDS_POOL === '0') return null;
  try {
    const pool = await createWasmPool();
    await pool.loadBackbone(backbone.spec);
    return pool;
  } catch (error) {
    ctx.send({ type: 'log', level: 'warn', message: `feature workers unavailable, extracting on one core: ${(error as Error).message}` });
    return null;
  }
}

export async function runBottleneck(ctx: RunContext): Promise<ModeResult> {
  const { start } = ctx;
  if (!start.backbone) throw new Error('bottleneck mode needs a backbone');
  const { config, manifest } = start;
  ctx.progress('loading', 0, 1, `loading backbone ${start.backbone.id}`);
  const backbone = await loadBackbone(start.backbone);
  try {
    const cache = new FeatureCache(start.featuresDir);
    const { train, validation } = splitItems(manifest.items);
    if (!train.length) throw new Error('no labelled training images');
    const variants = config.augment ? config.augmentVariants : 0;
    const requests = [
      ...train.map((item) => ({ item, variant: null as number | null })),
      ...Array.from({ length: variants }, (_, k) => train.map((item) => ({ item, variant: k as number | null }))).flat(),
      ...validation.map((item) => ({ item, variant: null as number | null })),
    ];
    const extraction = await extractFeatures(
      ctx,
      backbone,
      cache,
      requests,
      { params: config.augment, seed: config.seed },
      () => poolFor(ctx, backbone, requests.length),
      ctx.forward,
    );
    const dim = extraction.features.length / Math.max(1, requests.length);
    const trainRows = train.length * (1 + variants);
    const labels = requests.map((r) => r.item.label);

    const numClasses = manifest.classes.length;
    const head = new DenseHead({ inputDim: dim, numClasses, hidden: config.hidden, dropout: config.dropout, seed: config.seed });
    const trainX = extraction.features.subarray(0, trainRows * dim);
    const valX = extraction.features.subarray(trainRows * dim);
    const trainY = Int32Array.from(labels.slice(0, trainRows));
    const valY = Int32Array.from(labels.slice(trainRows));
    const xTrain = tf.tensor2d(trainX, [trainRows, dim]);
    const yTrain = tf.tensor1d(trainY, 'int32');
    const xVal = tf.tensor2d(valX, [validation.length, dim]);
    const yVal = tf.tensor1d(valY, 'int32');
    const optimizer = tf.train.adam(config.learningRate);
    // The default head (no hidden layer) trains in plain JS: per-batch kernel dispatch would be all its cost.
    const linear = config.hidden === 0 ? new LinearHead(dim, numClasses, config.dropout, config.seed) : null;
    let stepSeed = config.seed;
    try {
      const result = await runEpochs({
        shouldStop: () => ctx.stopRequested?.() ?? false,
        trainCount: trainRows,
        batchSize: config.batchSize,
        epochs: config.epochs,
        seed: config.seed,
        patience: config.patience,
        weights: linear
          ? { save: () => linear.snapshot(), restore: (s) => linear.restore(s as Float32Array[]) }
          : variablesCheckpoint(head.variables),
        step: async (indices) => {
          if (linear) return linear.step(trainX, trainY, indices, config.learningRate);
          head.minimizeOn(optimizer, xTrain, yTrain, indices, stepSeed++);
          return { loss: 0, correct: 0 };
        },
        // Whole-split metrics without dropout: cheaper than tracking them per batch.
        trainMetrics: async () => (linear ? linear.evaluate(trainX, trainY) : head.evaluate(xTrain, yTrain)),
        validate: async () => (validation.length ? (linear ? linear.evaluate(valX, valY) : head.evaluate(xVal, yVal)) : null),
        onEpoch: (m) => ctx.epoch(m),
        onBatch: batchProgress(ctx, config.epochs),
        // Yielding every batch keeps cancel within one batch.
        checkpoint: () => ctx.checkpoint(),
      });
      if (linear) {
        const [kernel, bias] = head.variables as [tf.Variable, tf.Variable];
        tf.tidy(() => {
          kernel.assign(tf.tensor2d(linear.kernel, [dim, numClasses]));
          bias.assign(tf.tensor1d(linear.bias));
        });
      }

      ctx.progress('saving', 0, 1, 'saving model');
      const pooled = tf.layers
        .globalAveragePooling2d({ name: 'head_pool' })
        .apply(backbone.features.outputs[0] as tf.SymbolicTensor) as tf.SymbolicTensor;
      const model = tf.model({ inputs: backbone.features.inputs, outputs: head.toLayers(pooled), name: `lds_${start.runId}` });
      try {
        await saveLayersModelToDir(model, ctx.modelDir);
      } finally {
        // Only the head's new layers hold weights of their own; the backbone's go with backbone.dispose().
        model.layers.filter((l) => l.name.startsWith('head_')).forEach((l) => tf.dispose(l.getWeights(false)));
      }
      writeModelMetadata(ctx.modelDir, {
        tfjsVersion: tf.version.tfjs,
        runId: start.runId,
        mode: 'bottleneck',
        labels: manifest.classes,
        preprocessing: start.backbone.preprocessing,
        backbone: {
          id: start.backbone.id,
          name: start.backbone.name,
          weightsSha256: start.backbone.weightsSha256,
          featureLayer: start.backbone.featureLayer,
          topBlockStart: start.backbone.topBlockStart,
        },
        head: { hidden: config.hidden, dropout: config.dropout, pooling: 'global-average' },
      });
      return {
        ...summaryOf(result.epochs, result.bestEpoch),
        stoppedEarly: result.stoppedEarly,
        featureSeconds: extraction.seconds,
        imagesPerSecond: extraction.computed ? extraction.computed / extraction.seconds : null,
        featuresComputed: extraction.computed,
        featuresFromCache: extraction.fromCache,
      };
    } finally {
      tf.dispose([xTrain, yTrain, xVal, yVal]);
      optimizer.dispose();
      head.dispose();
    }
  } finally {
    backbone.dispose();
  }
}
