import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../worker/preprocess';
import {
  ARCH_NAMES,
  archPreprocessing,
  buildArchitecture,
  makeDivisible,
  modernResnetName,
  topBlockLayers,
  type ArchName,
} from './architectures';
import { KerasH5Error, readKerasWeightsFile, type H5Weight, type KerasWeightsFile } from './h5-file';

/** What a backbone is, whatever it was imported from; saveBackbone writes it to backbone.json. */
export interface BackboneInfo {
  /** 'tfjs' for a TF.js folder of an architecture we do not rebuild in code. */
  arch: ArchName | 'tfjs';
  alpha: number | null;
  featureLayer: string;
  /** Layers fine-tuning unfreezes, in model order; empty when unknown. */
  topBlockLayers: string[];
  preprocessing: Preprocessing;
  inputSize: number;
  /** Feature map shape without the batch axis, e.g. [7, 7, 512]. */
  outputShape: number[];
  source: BackboneSource;
}

export interface BackboneSource {
  kind: 'keras-h5' | 'tfjs-folder' | 'teachable-machine';
  path: string;
  /** sha256 of the imported file (for .h5). */
  fileSha256?: string;
  kerasVersion?: string | null;
  layout?: string;
}

export interface ImportKerasOptions {
  arch?: ArchName;
  /** Square input side; default 224 (or the full-model file's own input size). */
  inputSize?: number;
  alpha?: number;
}

export interface ImportedBackbone {
  model: tf.LayersModel;
  info: BackboneInfo;
}

/**
 * Rebuilds a Keras Applications base in tfjs and loads an .h5 file's weights into it by layer name.
 * Errors name the file and the first layer that is missing or whose shapes differ.
 */
export async function importKerasH5(file: string, options: ImportKerasOptions = {}): Promise<ImportedBackbone> {
  const h5 = await readKerasWeightsFile(file);
  const byLayer = weightsByLayer(h5);
  const inferred = inferArchitecture(h5, byLayer);
  const arch = options.arch ?? inferred?.arch;
  if (!arch) {
    throw new KerasH5Error(
      `${h5.file}: cannot tell the architecture from its layer names (${h5.layers
        .slice(0, 4)
        .map((l) => l.name)
        .join(', ')}, ...); ` + `name it: one of ${ARCH_NAMES.join(', ')}`,
    );
  }
  if (options.arch && !ARCH_NAMES.includes(options.arch))
    throw new KerasH5Error(`unknown architecture ${options.arch}: one of ${ARCH_NAMES.join(', ')}`);
  const legacy = arch === 'resnet50' && byLayer.has('res5c_branch2c');
  const alpha =
    arch === 'mobilenet_v1' || arch === 'mobilenet_v2' ? (options.alpha ?? (inferred?.arch === arch ? inferred.alpha : null) ?? 1) : null;
  const inputSize = options.inputSize ?? inputSizeFromConfig(h5.modelConfig) ?? (arch === 'vgg-mini' ? 32 : 224);
  const built = buildArchitecture(arch, { inputSize, alpha: alpha ?? undefined, legacyResnetNames: legacy });
  try {
    const renamed = legacy ? new Map([...byLayer].map(([name, weights]) => [modernResnetName(name), weights])) : byLayer;
    applyWeights(built.model, renamed, h5.file, arch);
  } catch (error) {
    built.model.dispose();
    throw error;
  }
  const outputShape = (built.model.getLayer(built.featureLayer).outputShape as number[]).slice(1);
  return {
    model: built.model,
    info: {
      arch,
      alpha,
      featureLayer: built.featureLayer,
      topBlockLayers: topBlockLayers(arch, built.model),
      preprocessing: archPreprocessing(arch, inputSize),
      inputSize,
      outputShape,
      source: { kind: 'keras-h5', path: h5.file, fileSha256: await sha256File(h5.file), kerasVersion: h5.kerasVersion, layout: h5.layout },
    },
  };
}

/**
 * Weights keyed by the layer they belong to. A layer group normally holds its own weights (whatever
 * prefix their names carry: TF sometimes writes "conv1_bn_1/gamma:0"); a nested model saved inside a
 * full model is one group holding many layers' weights, split here by their name prefix.
 */
export function weightsByLayer(h5: KerasWeightsFile): Map<string, H5Weight[]> {
  const result = new Map<string, H5Weight[]>();
  for (const layer of h5.layers) {
    if (layer.weights.length === 0) continue;
    const prefixes = new Set(layer.weights.map(weightPrefix));
    if (prefixes.size <= 1) {
      result.set(layer.name, layer.weights);
      continue;
    }
    for (const weight of layer.weights) {
      const prefix = weightPrefix(weight) ?? layer.name;
      result.set(prefix, [...(result.get(prefix) ?? []), weight]);
    }
  }
  return result;
}

function weightPrefix(weight: H5Weight): string | null {
  const parts = weight.name.split('/');
  return parts.length >= 2 ? (parts[parts.length - 2] as string) : null;
}

const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

export function inferArchitecture(h5: KerasWeightsFile, byLayer = weightsByLayer(h5)): { arch: ArchName; alpha: number | null } | null {
  const has = (name: string): boolean => byLayer.has(name);
  const outChannels = (name: string): number | null => {
    const shape = byLayer.get(name)?.[0]?.shape;
    return shape && shape.length === 4 ? (shape[3] as number) : null;
  };
  if (has('block5_conv3')) return { arch: 'vgg16', alpha: null };
  if (has('conv5_block3_3_conv') || has('res5c_branch2c')) return { arch: 'resnet50', alpha: null };
  if (has('conv_pw_13')) {
    const out = outChannels('conv_pw_13');
    return { arch: 'mobilenet_v1', alpha: out ? out / 1024 : 1 };
  }
  if (has('block_16_project')) {
    const out = outChannels('block_16_project');
    const alpha = out ? (MOBILENET_V2_ALPHAS.find((a) => makeDivisible(Math.trunc(320 * a)) === out) ?? out / 320) : 1;
    return { arch: 'mobilenet_v2', alpha };
  }
  if (has('block1_conv1') && has('block2_conv1') && !has('block3_conv1')) return { arch: 'vgg-mini', alpha: null };
  return null;
}

function inputSizeFromConfig(config: unknown): number | null {
  if (!config) return null;
  const match = /"batch_input_shape":\s*\[\s*null\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*3\s*\]/.exec(JSON.stringify(config));
  return match && match[1] === match[2] ? Number(match[1]) : null;
}

function shortWeightName(name: string): string {
  return (name.split('/').at(-1) ?? name).replace(/:\d+$/, '');
}

/** Loads weights layer by layer; stops at the first layer that is missing or does not fit. */
export function applyWeights(model: tf.LayersModel, byLayer: Map<string, H5Weight[]>, file: string, arch: string): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const weights = byLayer.get(layer.name);
    if (!weights) throw new KerasH5Error(`${file}: layer ${layer.name} (needed by ${arch}) is missing from the file`);
    if (weights.length !== layer.weights.length) {
      throw new KerasH5Error(
        `${file}: layer ${layer.name} has ${weights.length} weight arrays (${weights.map((w) => shortWeightName(w.name)).join(', ')}) ` +
          `but ${arch} expects ${layer.weights.length} (${layer.weights.map((w) => shortWeightName(w.originalName)).join(', ')})`,
      );
    }
    layer.weights.forEach((expected, i) => {
      const got = weights[i] as H5Weight;
      if (expected.shape.length !== got.shape.length || expected.shape.some((d, j) => d !== got.shape[j])) {
        throw new KerasH5Error(
          `${file}: layer ${layer.name} does not match ${arch}: ${shortWeightName(got.name)} has shape [${got.shape.join(', ')}] in the file ` +
            `but the model expects [${expected.shape.join(', ')}]`,
        );
      }
    });
    tf.tidy(() => layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape, 'float32'))));
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}
