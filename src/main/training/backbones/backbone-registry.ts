import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PREPROCESSING_PRESET_NAMES } from '@shared/contract/training';
import type { BackboneSpec } from './backbone-spec';
import { inspectBackboneDir } from './backbone-inspect';
import type { InstallOfficialOptions } from './download/install-official';
import type { ArchName } from './keras/architectures';
import type { Preprocessing } from '../protocol/preprocessing-contract';
import { readTeachableMachineMetadata } from './tfjs-folder/validate';

export type PreprocessingPreset = (typeof PREPROCESSING_PRESET_NAMES)[number];

/** ImageNet mean in BGR order, as keras.applications' caffe preprocessing subtracts it (= keras/architectures). */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

/** The user-facing names for the three pixel contracts backbones are trained with. */
export function preprocessingPreset(name: PreprocessingPreset): Omit<Preprocessing, 'inputSize'> {
  switch (name) {
    case 'mobilenet':
      return { channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' };
    case 'caffe':
      return { channelOrder: 'bgr', mode: 'caffe', mean: [...CAFFE_MEAN_BGR], resize: 'bilinear' };
    case 'unit':
      return { channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' };
  }
}

export interface AddSourceOptions {
  id?: string;
  arch?: ArchName;
  inputSize?: number;
  featureLayer?: string;
  topBlockStart?: string;
  preprocessing?: PreprocessingPreset;
}

/** Loads tfjs only when a download is actually started. */
export async function installOfficial(id: string, options: InstallOfficialOptions): Promise<{ spec: BackboneSpec }> {
  const { installOfficialBackbone } = await import('./download/install-official');
  return installOfficialBackbone(id, options);
}

/**
 * Adds a backbone source to a workspace: a Keras .h5 file or a Teachable Machine export is rebuilt
 * and written into registryDir/<id> (with its sha256); a plain TF.js layers model folder is used
 * where it is. Nothing is left in registryDir when the source is bad.
 */
export async function addBackboneSource(path: string, registryDir: string, options: AddSourceOptions = {}): Promise<BackboneSpec> {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`${full}: no such file or folder`);
  const preprocessing = options.preprocessing ? preprocessingPreset(options.preprocessing) : undefined;
  const isFolder = statSync(full).isDirectory();
  if (isFolder && !readTeachableMachineMetadata(full)) {
    if (options.arch) throw new Error(`${full}: --arch applies to Keras .h5 files; a TF.js folder's layers are read from its model.json`);
    let spec: BackboneSpec;
    try {
      spec = inspectBackboneDir(full, { id: options.id, featureLayer: options.featureLayer, topBlockStart: options.topBlockStart });
    } catch (error) {
      // An unfamiliar model (or a layer name that is not there): the full import picks the last
      // feature map by default, or lists the layers there are, and stores the cut model in the registry.
      if (!existsSync(join(full, 'model.json'))) throw error;
      return (await importIntoRegistry(full, registryDir, options, preprocessing)).spec;
    }
    if (options.inputSize && options.inputSize !== spec.preprocessing.inputSize) {
      throw new Error(
        `${full}: the model takes ${spec.preprocessing.inputSize} px input; --input-size ${options.inputSize} does not match`,
      );
    }
    return preprocessing ? { ...spec, preprocessing: { ...spec.preprocessing, ...preprocessing } } : spec;
  }
  if (!isFolder && options.topBlockStart)
    throw new Error(`${full}: a Keras backbone's top block is fixed by its architecture; --top-block applies to TF.js folders`);
  const { spec } = await importIntoRegistry(full, registryDir, options, preprocessing);
  if (options.topBlockStart) return { ...spec, topBlockStart: options.topBlockStart };
  return spec;
}

async function importIntoRegistry(
  full: string,
  registryDir: string,
  options: AddSourceOptions,
  preprocessing: Partial<Preprocessing> | undefined,
): Promise<{ spec: BackboneSpec }> {
  // Loaded on demand: tfjs and h5wasm stay out of processes that only list backbones.
  const { addBackboneToRegistry } = await import('./keras/add-backbone');
  return addBackboneToRegistry(full, registryDir, {
    id: options.id,
    arch: options.arch,
    inputSize: options.inputSize,
    featureLayer: options.featureLayer,
    preprocessing,
  });
}

export interface FeatureLayerChoice {
  /** Layers with a feature-map output, input to output; for a Keras .h5 the architecture's one. */
  layers: { name: string; shape: number[] }[];
  defaultLayer: string;
}

/** The layers a TF.js folder (or Teachable Machine export) could give features from, and the default. */
export async function listSourceFeatureLayers(path: string): Promise<FeatureLayerChoice> {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`${full}: no such file or folder`);
  if (!statSync(full).isDirectory()) {
    throw new Error(
      `${full}: a Keras .h5 backbone's feature layer is fixed by its architecture (VGG16 block5_pool, MobileNet v1 conv_pw_13_relu, v2 out_relu, ResNet50 conv5_block3_out)`,
    );
  }
  const { disposeModelDeep, innermostBase, listFeatureLayers, loadTfjsFolderModel, validateTfjsFolder } = await import('./tfjs-folder');
  const model = await loadTfjsFolderModel(validateTfjsFolder(full));
  try {
    const { candidates, defaultLayer } = listFeatureLayers(innermostBase(model));
    return { layers: candidates.map((c) => ({ name: c.name, shape: c.shape })), defaultLayer };
  } finally {
    disposeModelDeep(model);
  }
}

/** Removes a registry folder this module wrote (never a folder a TF.js backbone was added from in place). */
export function removeFromRegistry(spec: BackboneSpec, registryDir: string): void {
  if (resolve(spec.dir).startsWith(resolve(registryDir) + '/')) rmSync(spec.dir, { recursive: true, force: true });
}

/** Bytes of a backbone's model files (model.json, shards). */
export function backboneSizeBytes(dir: string): number | null {
  try {
    return readdirSync(dir).reduce((sum, name) => {
      const s = statSync(join(dir, name));
      return s.isFile() ? sum + s.size : sum;
    }, 0);
  } catch {
    return null;
  }
}

/** The architecture backbone.json records (registry backbones), or one recognised from the name. */
export function backboneArch(spec: BackboneSpec): string | null {
  try {
    const json = JSON.parse(readFileSync(join(spec.dir, 'backbone.json'), 'utf8')) as { arch?: unknown; alpha?: unknown };
    if (typeof json.arch === 'string') return json.arch === 'tfjs' ? null : json.arch;
  } catch {
    // not a registry folder: fall through to the layer names the spec carries
  }
  if (spec.featureLayer === 'out_relu') return 'mobilenet_v2';
  if (spec.featureLayer === 'conv_pw_13_relu') return 'mobilenet_v1';
  if (spec.featureLayer.startsWith('block5_')) return 'vgg16';
  if (spec.featureLayer.startsWith('conv5_')) return 'resnet50';
  return null;
}
