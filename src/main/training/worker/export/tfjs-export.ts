/**
 * A run's model as a TF.js layers model folder laid out like a Teachable Machine image-model export:
 * model.json (tf.Sequential [Sequential[backbone cut at its feature layer, GlobalAveragePooling2D],
 * Sequential[head dense layers]]), weight shards, metadata.json with Teachable Machine's keys plus our
 * preprocessing contract, and a usage snippet. Scratch models have no backbone and go out as they are.
 */
import { mkdirSync, readdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModelMetadata, type ModelMetadata } from '../../protocol/model-metadata';
import { loadLayersModelFromDir } from '../model-io';
import { ensureInferenceBackend } from '../predict';
import { exportReadme, exampleHtml } from './usage-snippet';

/** tfjs-converter's default shard size: browsers fetch and cache shards of this size well. */
export const SHARD_BYTES = 4 * 1024 * 1024;
/** The Teachable Machine export format this layout follows (tmVersion of the sample export). */
export const TM_VERSION = '2.4.10';
export const TM_PACKAGE = { name: '@teachablemachine/image', version: '0.8.4-alpha2' };
export const EXPORT_FORMAT = 'little-data-studio/export@1';

export interface ExportModelOptions {
  runDir: string;
  outDir: string;
  appVersion: string;
  /** Summary metrics of the run (validation accuracy, …), written to metadata.json. */
  metrics: Record<string, unknown> | null;
  modelName?: string;
}

export interface ExportedModel {
  dir: string;
  files: string[];
  layout: 'teachable-machine' | 'as-trained';
}

/** Teachable-Machine-shaped model sharing the run model's weights (dispose the run model, not this). */
function teachableMachineModel(model: tf.LayersModel, meta: ModelMetadata): { model: tf.Sequential; ownLayers: tf.layers.Layer[] } | null {
  if (!meta.backbone || !model.layers.some((l) => l.name === 'head_pool')) return null;
  const featureLayer = model.getLayer(meta.backbone.featureLayer);
  const base = tf.model({ inputs: model.inputs, outputs: featureLayer.output as tf.SymbolicTensor, name: 'backbone' });
  const features = tf.sequential({ name: 'sequential_1', layers: [base, tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' })] });
  const trained = model.layers.filter((l) => l.name.startsWith('head_dense_') || l.name === 'head_output');
  let inputDim = (featureLayer.outputShape as number[])[3] as number;
  const dense = trained.map((layer, i) => {
    const kernel = layer.getWeights()[0] as tf.Tensor;
    const d = tf.layers.dense({
      units: kernel.shape[1] as number,
      activation: layer.name === 'head_output' ? 'softmax' : 'relu',
      inputShape: i === 0 ? [inputDim] : undefined,
      name: `dense_Dense${i + 1}`,
    });
    inputDim = kernel.shape[1] as number;
    return d;
  });
  const head = tf.sequential({ name: 'sequential_3', layers: dense });
  dense.forEach((d, i) => d.setWeights((trained[i] as tf.layers.Layer).getWeights()));
  return { model: tf.sequential({ name: 'sequential_4', layers: [features, head] }), ownLayers: dense };
}

function concatWeights(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/** Writes model.json and shards; one shard is called weights.bin as in Teachable Machine's export. */
async function writeLayersModel(model: tf.LayersModel, dir: string): Promise<string[]> {
  const files: string[] = [];
  await model.save({
    save: async (artifacts) => {
      const bytes = concatWeights(artifacts.weightData);
      const count = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
      const paths = count === 1 ? ['weights.bin'] : Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      paths.forEach((p, i) => {
        writeFileSync(join(dir, p), bytes.subarray(i * SHARD_BYTES, Math.min(bytes.byteLength, (i + 1) * SHARD_BYTES)));
        files.push(p);
      });
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      files.unshift('model.json');
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength } };
    },
  });
  return files;
}

export async function exportTeachableMachineModel(options: ExportModelOptions): Promise<ExportedModel> {
  const meta = readModelMetadata(options.runDir);
  await ensureInferenceBackend();
  const model = await loadLayersModelFromDir(options.runDir);
  // Written beside the target and renamed at the end: a failed export leaves no half folder behind.
  const partial = `${options.outDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  let tm: ReturnType<typeof teachableMachineModel> = null;
  try {
    tm = teachableMachineModel(model, meta);
    const files = await writeLayersModel(tm?.model ?? model, partial);
    const date = new Date().toISOString();
    const modelName = options.modelName ?? `lds-${meta.runId}`;
    const metadata = {
      // Teachable Machine's keys, so @teachablemachine/image, ml5 and TM sample code find what they expect.
      tfjsVersion: tf.version.tfjs,
      tmVersion: TM_VERSION,
      packageVersion: TM_PACKAGE.version,
      packageName: TM_PACKAGE.name,
      timeStamp: date,
      userMetadata: {},
      modelName,
      labels: meta.labels,
      imageSize: meta.preprocessing.inputSize,
      // Ours: what code outside the app needs to get the app's numbers.
      format: EXPORT_FORMAT,
      generatedBy: `Little Data Studio ${options.appVersion}`,
      appVersion: options.appVersion,
      runId: meta.runId,
      mode: meta.mode,
      layout: tm ? 'teachable-machine' : 'as-trained',
      preprocessing: meta.preprocessing,
      preprocessingSteps: preprocessingSteps(meta),
      backbone: meta.backbone,
      head: meta.head,
      metrics: options.metrics,
      trainedAt: meta.createdAt,
      date,
    };
    writeFileSync(join(partial, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
    writeFileSync(join(partial, 'README.md'), exportReadme(metadata));
    writeFileSync(join(partial, 'example.html'), exampleHtml(metadata));
    files.push('metadata.json', 'README.md', 'example.html');
    rmSync(options.outDir, { recursive: true, force: true });
    renameSync(partial, options.outDir);
    return { dir: options.outDir, files: readdirSync(options.outDir).filter((f) => files.includes(f)), layout: tm ? 'teachable-machine' : 'as-trained' };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  } finally {
    // The new head layers hold their own weights; everything else belongs to the run model.
    tm?.ownLayers.forEach((l) => tf.dispose(l.getWeights(false)));
    model.dispose();
  }
}

function preprocessingSteps(meta: ModelMetadata): string[] {
  const p = meta.preprocessing;
  const scale = { tf: 'x / 127.5 - 1 (values in [-1, 1])', unit: 'x / 255 (values in [0, 1])', caffe: `subtract the mean ${JSON.stringify(p.mean ?? [103.939, 116.779, 123.68])} per channel, no scaling` }[p.mode];
  return [
    'decode the image, apply its EXIF orientation, flatten any alpha channel onto white, convert to 8-bit sRGB',
    `resize the whole picture to ${p.inputSize}x${p.inputSize} (stretch, no crop) with ${p.resize} interpolation (the app uses sharp/libvips kernel "${p.resize === 'nearest' ? 'nearest' : 'linear'}" with shrink-on-load off)`,
    `channels in ${p.channelOrder.toUpperCase()} order, layout [N, ${p.inputSize}, ${p.inputSize}, 3] float32`,
    scale,
    `the output is softmax probabilities in the order of "labels"`,
  ];
}
