import * as tf from '@tensorflow/tfjs';
import { topBlockLayers, type ArchName } from '../keras/architectures';
import type { BackboneInfo } from '../keras/import-keras';
import { preprocessingSchema, type Preprocessing } from '../../worker/preprocess';
import { readWeightData, TfjsFolderError, validateTfjsFolder, type ValidatedFolder } from './validate';

export interface FeatureLayerCandidate {
  name: string;
  /** Output shape without the batch axis. */
  shape: number[];
  className: string;
}

export interface FeatureLayerList {
  candidates: FeatureLayerCandidate[];
  /** The last 4D activation before the model pools, flattens or goes dense. */
  defaultLayer: string;
}

export async function loadTfjsFolderModel(folder: ValidatedFolder): Promise<tf.LayersModel> {
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: folder.modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: folder.modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: readWeightData(folder),
    format: folder.modelJson.format,
  };
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new TfjsFolderError(
      `${folder.dir}/model.json: TensorFlow.js cannot build this model (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

/**
 * Disposes a loaded model including the weights of nested sub-models, which LayersModel.dispose()
 * leaves behind for Teachable Machine's Sequential-in-Sequential layout.
 */
export function disposeModelDeep(model: tf.LayersModel): void {
  const variables = model.weights;
  model.dispose();
  for (const variable of variables) {
    try {
      variable.dispose();
    } catch {
      // Already disposed with its layer.
    }
  }
}

function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/**
 * The convolutional base inside nested models: a Teachable Machine export is
 * Sequential[Sequential[MobileNet, GlobalAveragePooling], Sequential[head]], so the base is found by
 * descending into the first sub-model while there is one.
 */
export function innermostBase(model: tf.LayersModel): tf.LayersModel {
  let current = model;
  for (;;) {
    const first = current.layers.find((l) => l.getClassName() !== 'InputLayer');
    if (!first || !isContainer(first)) return current;
    current = first;
  }
}

function outputShape(layer: tf.layers.Layer): number[] | null {
  const shape = layer.outputShape;
  if (!Array.isArray(shape) || Array.isArray(shape[0])) return null;
  return (shape as (number | null)[]).slice(1).map((d) => d ?? -1);
}

/** Layers with a 4D (feature map) output, up to the first layer that pools, flattens or goes dense. */
export function listFeatureLayers(model: tf.LayersModel): FeatureLayerList {
  const candidates: FeatureLayerCandidate[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const shape = outputShape(layer);
    if (!shape) continue;
    if (shape.length !== 3) {
      if (candidates.length > 0) break;
      continue;
    }
    candidates.push({ name: layer.name, shape, className: layer.getClassName() });
  }
  const last = candidates.at(-1);
  if (!last) throw new TfjsFolderError(`model ${model.name} has no layer with a 4D output: it is not a convolutional backbone`);
  return { candidates, defaultLayer: last.name };
}

export interface ImportFolderOptions {
  featureLayer?: string;
  preprocessing?: Partial<Preprocessing>;
}

export interface ImportedFolder {
  /** The base cut at the feature layer (weights shared with the loaded model until disposed). */
  model: tf.LayersModel;
  info: BackboneInfo;
  validated: ValidatedFolder;
  /** Disposes everything the import loaded. */
  dispose(): void;
}

/** Known Keras application bases, recognised by their layer names. */
export function recogniseArchitecture(model: tf.LayersModel): { arch: ArchName; alpha: number | null } | null {
  const names = new Set(model.layers.map((l) => l.name));
  const channels = (name: string): number | null => {
    if (!names.has(name)) return null;
    const shape = outputShape(model.getLayer(name));
    return shape ? (shape.at(-1) ?? null) : null;
  };
  if (names.has('block_16_project')) {
    const c = channels('block_16_project');
    const alphas: [number, number][] = [
      [112, 0.35],
      [160, 0.5],
      [240, 0.75],
      [320, 1],
      [416, 1.3],
      [448, 1.4],
    ];
    return { arch: 'mobilenet_v2', alpha: alphas.find(([n]) => n === c)?.[1] ?? (c ? c / 320 : null) };
  }
  if (names.has('conv_pw_13')) {
    const c = channels('conv_pw_13');
    return { arch: 'mobilenet_v1', alpha: c ? c / 1024 : null };
  }
  if (names.has('block5_conv3')) return { arch: 'vgg16', alpha: null };
  if (names.has('conv5_block3_out')) return { arch: 'resnet50', alpha: null };
  return null;
}

/**
 * Imports a TF.js layers model folder or a Teachable Machine export as a backbone: validates the
 * manifest, loads, unwraps nested models to the convolutional base, cuts at the chosen feature
 * layer (default: the last 4D activation before pooling). Preprocessing defaults to [-1, 1]
 * (MobileNet / Teachable Machine); the user may override any part of it.
 */
export async function importTfjsFolder(dir: string, options: ImportFolderOptions = {}): Promise<ImportedFolder> {
  const validated = validateTfjsFolder(dir);
  const loaded = await loadTfjsFolderModel(validated);
  try {
    const base = innermostBase(loaded);
    const { candidates, defaultLayer } = listFeatureLayers(base);
    const featureLayer = options.featureLayer ?? defaultLayer;
    const chosen = candidates.find((c) => c.name === featureLayer);
    if (!chosen) {
      throw new TfjsFolderError(
        `${validated.dir}: no 4D layer named ${featureLayer}; choose one of ${candidates
          .slice(-6)
          .map((c) => c.name)
          .join(', ')} (default ${defaultLayer})`,
      );
    }
    const inputShape = (base.inputs[0]?.shape ?? []).slice(1);
    const inputSize = Number(inputShape[0] ?? validated.teachableMachine?.imageSize ?? 224);
    if (inputShape.length !== 3 || inputShape[2] !== 3 || inputShape[0] !== inputShape[1]) {
      throw new TfjsFolderError(
        `${validated.dir}: the base takes input [${inputShape.join(', ')}]; a backbone needs a square RGB image input`,
      );
    }
    const features = tf.model({
      inputs: base.inputs,
      outputs: base.getLayer(featureLayer).output as tf.SymbolicTensor,
      name: `${base.name}_features`,
    });
    const recognised = recogniseArchitecture(base);
    const preprocessing = preprocessingSchema.parse({
      inputSize,
      channelOrder: 'rgb',
      mode: 'tf',
      resize: 'bilinear',
      ...options.preprocessing,
    });
    if (preprocessing.inputSize !== inputSize)
      throw new TfjsFolderError(`${validated.dir}: the model takes ${inputSize}px input, not ${preprocessing.inputSize}`);
    let top: string[] = [];
    if (recognised) {
      try {
        top = topBlockLayers(recognised.arch, features);
      } catch {
        top = [];
      }
    }
    const info: BackboneInfo = {
      arch: recognised?.arch ?? 'tfjs',
      alpha: recognised?.alpha ?? null,
      featureLayer,
      topBlockLayers: top,
      preprocessing,
      inputSize,
      outputShape: chosen.shape,
      source: { kind: validated.teachableMachine ? 'teachable-machine' : 'tfjs-folder', path: validated.dir },
    };
    return {
      model: features,
      info,
      validated,
      dispose: () => disposeModelDeep(loaded),
    };
  } catch (error) {
    disposeModelDeep(loaded);
    throw error;
  }
}
