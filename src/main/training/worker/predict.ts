/**
 * Inference with a saved model (a run's folder or an exported one), run in the training process
 * (compute-jobs.ts; main asks through host/compute-client.ts). It goes
 * through the training code's own decode + preprocess (inputBatch), so a prediction here equals what
 * validation during training saw, and what the exported metadata tells outside code to do.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backends';
import { installWasmGradients } from './wasm-gradients';
import type { BackboneSpec } from '../backbones/backbone-spec';
import type { LoadedBackbone } from '../backbones/backbones';
import { FeatureCache } from '../protocol/feature-cache';
import { inputBatch } from './image-batches';
import { readModelInfo, type ModelInfo } from '../protocol/model-info';
import { loadLayersModelFromDir } from './model-io';
import { globalAveragePool, plainInput, runPipelined, type Forward } from '../forward';
import { extractFeatures } from './modes/bottleneck';
import type { ManifestItem } from '../protocol/worker-protocol';

export { readModelInfo, type ModelInfo };

export const PREDICT_BATCH = 16;

let backendReady: Promise<string> | null = null;

/**
 * Selects the fastest backend once per process, with the gradients wasm lacks (k-fold trains heads
 * with it too).
 */
export function ensureInferenceBackend(force?: string | null): Promise<string> {
  backendReady ??= selectBackend({ force: force ?? process.env.LDS_BACKEND ?? null, onWasmReady: installWasmGradients }).then(
    (r) => r.active,
    (error: unknown) => {
      backendReady = null;
      throw error;
    },
  );
  return backendReady;
}

export interface LoadedModel {
  info: ModelInfo;
  model: tf.LayersModel;
  dispose(): void;
}

export async function loadModelForPrediction(dir: string): Promise<LoadedModel> {
  const info = readModelInfo(dir);
  await ensureInferenceBackend();
  const model = await loadLayersModelFromDir(dir);
  const out = model.outputs[0]?.shape;
  if (model.outputs.length !== 1 || out?.length !== 2 || out[1] !== info.labels.length) {
    model.dispose();
    throw new Error(`${dir}: the model's output ${JSON.stringify(out)} does not match its ${info.labels.length} labels`);
  }
  return { info, model, dispose: () => model.dispose() };
}

export interface PredictOptions {
  batchSize?: number;
  /** The forward engine (ONNX Runtime where the model converts); absent: TF.js as before. */
  forward?: Forward;
  onProgress?(done: number, total: number): void;
  /** Yields between batches; throws to stop (a cancelled job). */
  checkpoint?(): Promise<void>;
}

const asItem = (path: string): ManifestItem => ({ path, sha256: '0'.repeat(64), label: 0, split: 'validation' });

/**
 * A model whose image part ends in global average pooling followed by a chain of layers (the head):
 * the layer feeding the pooling, and the chain. The forward engine runs the image part; the head, a
 * few dense layers, runs on TF.js. Null for any other shape (the whole model goes to the engine).
 */
export function splitAtPooling(model: tf.LayersModel): { featureLayer: string; tail: tf.layers.Layer[] } | null {
  const index = model.layers.findIndex((l) => l.getClassName() === 'GlobalAveragePooling2D');
  const pool = model.layers[index];
  if (!pool || Array.isArray(pool.input)) return null;
  const tail = model.layers.slice(index + 1);
  let previous = pool.output as tf.SymbolicTensor;
  for (const layer of tail) {
    if (Array.isArray(layer.input) || layer.input.id !== previous.id || layer.inboundNodes.length !== 1) return null;
    previous = layer.output as tf.SymbolicTensor;
  }
  if (model.outputs.length !== 1 || model.outputs[0]?.id !== previous.id) return null;
  return { featureLayer: pool.input.sourceLayer.name, tail };
}

/** Probabilities through the forward engine: the image part on the engine, pooling in JS, the head on TF.js. */
async function predictWithEngine(
  loaded: LoadedModel,
  forward: Forward,
  paths: readonly string[],
  options: PredictOptions,
): Promise<Float32Array[]> {
  const batch = options.batchSize ?? PREDICT_BATCH;
  const split = splitAtPooling(loaded.model);
  const engine = await forward.open(loaded.model, split?.featureLayer ?? null);
  const rows: Float32Array[] = [];
  try {
    await runPipelined(engine, {
      count: paths.length,
      batchSize: batch,
      checkpoint: options.checkpoint,
      input: (from, to) =>
        plainInput(
          paths.slice(from, to).map((path) => ({ path })),
          loaded.info.preprocessing,
        ),
      output: (from, to, y) => {
        const n = to - from;
        if (split) rows.push(...applyLayers(split.tail, globalAveragePool(y, n, engine.outputShape), n));
        else for (let i = 0; i < n; i++) rows.push(y.slice((i * y.length) / n, ((i + 1) * y.length) / n));
        options.onProgress?.(to, paths.length);
      },
    });
  } finally {
    await engine.dispose();
  }
  return rows;
}

/** Class probabilities for image files, one row per path, in the model's label order. */
export async function predictFiles(loaded: LoadedModel, paths: readonly string[], options: PredictOptions = {}): Promise<Float32Array[]> {
  if (options.forward) return predictWithEngine(loaded, options.forward, paths, options);
  const batch = options.batchSize ?? PREDICT_BATCH;
  const n = loaded.info.labels.length;
  const rows: Float32Array[] = [];
  for (let b = 0; b < paths.length; b += batch) {
    await options.checkpoint?.();
    const chunk = paths.slice(b, b + batch).map(asItem);
    const x = await inputBatch(chunk, loaded.info.preprocessing, null);
    const y = tf.tidy(() => loaded.model.predict(x) as tf.Tensor2D);
    x.dispose();
    const data = (await y.data()) as Float32Array;
    y.dispose();
    for (let i = 0; i < chunk.length; i++) rows.push(data.slice(i * n, (i + 1) * n));
    options.onProgress?.(Math.min(paths.length, b + batch), paths.length);
  }
  return rows;
}

/** The head layers of a bottleneck/fine-tune model after its pooling layer, in order. */
function headLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.name.startsWith('head_') && l.name !== 'head_pool');
  if (!layers.some((l) => l.name === 'head_output')) throw new Error('model has no head_output layer');
  return layers;
}

/** Applies the model's head to pooled features [N, D] → probabilities (dropout is off outside training). */
export function headOnFeatures(model: tf.LayersModel, features: Float32Array, count: number): Float32Array[] {
  return applyLayers(headLayers(model), features, count);
}

/** Runs a chain of layers on [N, D] rows in inference mode → one row per item. */
function applyLayers(layers: readonly tf.layers.Layer[], features: Float32Array, count: number): Float32Array[] {
  if (!count) return [];
  const dim = features.length / count;
  // The tensor, not its data, leaves tidy: tidy walks a returned typed array element by element.
  const out = tf.tidy(() => {
    let h: tf.Tensor = tf.tensor2d(features, [count, dim]);
    for (const layer of layers) h = layer.apply(h, { training: false }) as tf.Tensor;
    return h;
  });
  let data: Float32Array;
  try {
    data = out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
  const n = data.length / count;
  return Array.from({ length: count }, (_, i) => data.slice(i * n, (i + 1) * n));
}

/**
 * Bottleneck runs: probabilities from the feature cache the run itself filled (same backbone key),
 * computing only what is missing, through the run's own backbone layers. Same numbers as
 * predictFiles up to float rounding, without running the backbone again on cached images.
 */
export async function predictWithFeatureCache(
  loaded: LoadedModel,
  spec: BackboneSpec,
  featuresDir: string,
  items: readonly { path: string; sha256: string }[],
  options: PredictOptions = {},
): Promise<Float32Array[]> {
  const { info, model } = loaded;
  if (
    info.mode !== 'bottleneck' ||
    !info.backbone ||
    info.backbone.weightsSha256 !== spec.weightsSha256 ||
    info.backbone.featureLayer !== spec.featureLayer
  ) {
    return predictFiles(
      loaded,
      items.map((i) => i.path),
      options,
    );
  }
  const features = tf.model({ inputs: model.inputs, outputs: model.getLayer(spec.featureLayer).output as tf.SymbolicTensor });
  const backbone: LoadedBackbone = { spec, model, features, dispose: () => {} };
  const ctx = {
    progress: (_phase: string, done: number, total: number) => options.onProgress?.(done, total),
    checkpoint: async () => {
      await options.checkpoint?.();
    },
  };
  const requests = items.map((i) => ({ item: { path: i.path, sha256: i.sha256, label: 0, split: 'validation' as const }, variant: null }));
  const extraction = await extractFeatures(
    ctx,
    backbone,
    new FeatureCache(featuresDir),
    requests,
    { params: null, seed: 0 },
    null,
    options.forward ?? null,
  );
  options.onProgress?.(items.length, items.length);
  return headOnFeatures(model, extraction.features, items.length);
}
