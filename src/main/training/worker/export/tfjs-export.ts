/**
 * A run's model as a TF.js layers model folder laid out like a Teachable Machine image-model export:
 * model.json (tf.Sequential [Sequential[backbone cut at its feature layer, GlobalAveragePooling2D],
 * Sequential[head dense layers]]), weight shards, metadata.json with Teachable Machine's keys plus our
 * preprocessing contract, and a usage snippet. Scratch models have no backbone and go out as they are.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModelMetadata, type ModelMetadata } from '../../protocol/model-metadata';
import { loadLayersModelFromDir } from '../model-io';
import { ensureInferenceBackend } from '../predict';
import { exportMetadata, valueRange, writeFolderAtomically, type ExportModelOptions, type ExportedModel } from './export-folder';
import { exportReadme, exampleHtml } from './usage-snippet';

/** tfjs-converter's default shard size: browsers fetch and cache shards of this size well. */
export const SHARD_BYTES = 4 * 1024 * 1024;
export { TM_VERSION, TM_PACKAGE, EXPORT_FORMAT, type ExportModelOptions, type ExportedModel } from './export-folder';

/** Teachable-Machine-shaped model sharing the run model's weights (dispose the run model, not this). */
/**
 * Teachable Machine's loader scales pixels with x / 127 - 1; this is the affine map from its values to
 * the model's own (x / 127.5 - 1 or x / 255), as per-channel scale and offset. Caffe mean subtraction
 * also swaps channels, which no per-channel affine layer can do.
 */
export function tmInputAffine(meta: ModelMetadata): { scale: number; offset: number } {
  const p = meta.preprocessing;
  if (p.channelOrder !== 'rgb' || p.mode === 'caffe')
    throw new Error(
      `run ${meta.runId}: a Teachable Machine export needs an RGB model scaled to [-1, 1] or [0, 1]; this one uses ${p.mode} preprocessing`,
    );
  // TM gives t = x / 127 - 1, so x = 127 (t + 1).
  if (p.mode === 'tm') return { scale: 1, offset: 0 };
  return p.mode === 'tf' ? { scale: 127 / 127.5, offset: 127 / 127.5 - 1 } : { scale: 127 / 255, offset: 127 / 255 };
}

function teachableMachineModel(
  model: tf.LayersModel,
  meta: ModelMetadata,
  tmLoader: boolean,
): { model: tf.Sequential; ownLayers: tf.layers.Layer[] } | null {
  if (!meta.backbone || !model.layers.some((l) => l.name === 'head_pool')) return null;
  const featureLayer = model.getLayer(meta.backbone.featureLayer);
  const base = tf.model({ inputs: model.inputs, outputs: featureLayer.output as tf.SymbolicTensor, name: 'backbone' });
  const size = meta.preprocessing.inputSize;
  // A 1x1 depthwise convolution is an exact per-channel affine map, and TF.js 1.3.1 (TM's) knows it.
  const scaling = tmLoader
    ? tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: true, inputShape: [size, size, 3], name: 'tm_input_scaling' })
    : null;
  const features = tf.sequential({
    name: 'sequential_1',
    layers: [...(scaling ? [scaling] : []), base, tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' })],
  });
  if (scaling) {
    const { scale, offset } = tmInputAffine(meta);
    const weights = [tf.fill([1, 1, 3, 1], scale), tf.fill([3], offset)];
    scaling.setWeights(weights);
    tf.dispose(weights);
  }
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
  return { model: tf.sequential({ name: 'sequential_4', layers: [features, head] }), ownLayers: [...(scaling ? [scaling] : []), ...dense] };
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

/** tmLoader: for Teachable Machine's own loader (its x / 127 - 1 folded into an input layer). */
export async function exportTeachableMachineModel(options: ExportModelOptions, tmLoader = false): Promise<ExportedModel> {
  const meta = readModelMetadata(options.runDir);
  if (tmLoader) tmInputAffine(meta);
  await ensureInferenceBackend();
  const model = await loadLayersModelFromDir(options.runDir);
  let tm: ReturnType<typeof teachableMachineModel> = null;
  try {
    tm = teachableMachineModel(model, meta, tmLoader);
    if (tmLoader && !tm)
      throw new Error(
        `run ${meta.runId}: a Teachable Machine export needs a backbone run (bottleneck or fine-tune); export a scratch run as tfjs or onnx`,
      );
    const layout = tm ? 'teachable-machine' : 'as-trained';
    const shaped = tm?.model ?? model;
    // The folder's contract is what its model takes: for TM's loader, TM's scaling (the first layer does the rest).
    const contract = tmLoader ? { ...meta, preprocessing: { ...meta.preprocessing, mode: 'tm' as const } } : meta;
    return await writeFolderAtomically(options.outDir, layout, async (dir) => {
      const files = await writeLayersModel(shaped, dir);
      const metadata = {
        ...exportMetadata(contract, options, layout),
        ...(tmLoader
          ? {
              exportFormat: 'tm',
              tmInputScaling: {
                ...tmInputAffine(meta),
                note: `the first layer maps Teachable Machine's x / 127 - 1 to the backbone's ${valueRange(meta.preprocessing)}: feed it as @teachablemachine/image does`,
              },
              tmLoaderCrop:
                meta.preprocessing.fit === 'centre-crop'
                  ? "this run was trained on centre-cropped squares, as Teachable Machine crops; its loader resizes the square with the browser's canvas (bilinear, no anti-aliasing) where the app uses libvips, so on photos its probabilities differ from the app's by a few hundredths at most, and a picture already cropped and resized as the app does gets the app's numbers"
                  : "this run was trained on stretched pictures; Teachable Machine's loader crops the centre square instead, so its probabilities differ from the app's on non-square pictures",
            }
          : {}),
      };
      writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
      const tmNote =
        'tmLoaderCrop' in metadata
          ? `\n## Teachable Machine's loader (tmImage.load)\nThis export is for @teachablemachine/image: its first layer turns the loader's x / 127 - 1 into this model's scaling. Note: ${metadata.tmLoaderCrop}.\n`
          : '';
      writeFileSync(join(dir, 'README.md'), exportReadme(metadata) + tmNote);
      writeFileSync(join(dir, 'example.html'), exampleHtml(metadata));
      return [...files, 'metadata.json', 'README.md', 'example.html'];
    });
  } finally {
    // The new head layers hold their own weights; everything else belongs to the run model.
    tm?.ownLayers.forEach((l) => tf.dispose(l.getWeights(false)));
    model.dispose();
  }
}
