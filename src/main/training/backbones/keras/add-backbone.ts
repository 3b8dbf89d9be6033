import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackboneSpec } from '../backbone-spec';
import type { Preprocessing } from '../../worker/preprocess';
import { importTfjsFolder } from '../tfjs-folder/import-folder';
import type { ArchName } from './architectures';
import { importKerasH5, type BackboneInfo } from './import-keras';
import { saveBackbone, type BackboneJson } from './save-backbone';

export interface BackboneSourceOptions {
  /** Registry id; default derived from the architecture (mobilenet_v1_0.25_224) or folder name. */
  id?: string;
  name?: string;
  /** .h5 only: the architecture when it cannot be inferred, and the input size (default 224). */
  arch?: ArchName;
  inputSize?: number;
  /** TF.js folders only: the layer whose output is the feature map, and preprocessing overrides. */
  featureLayer?: string;
  preprocessing?: Partial<Preprocessing>;
}

export interface LoadedSource {
  model: tf.LayersModel;
  info: BackboneInfo;
  dispose(): void;
}

/** A Keras .h5 file or a TF.js layers model folder (Teachable Machine exports included), as a backbone. */
export async function importBackboneSource(path: string, options: BackboneSourceOptions = {}): Promise<LoadedSource> {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`${full}: no such file or folder`);
  if (statSync(full).isDirectory()) {
    const imported = await importTfjsFolder(full, { featureLayer: options.featureLayer, preprocessing: options.preprocessing });
    return { model: imported.model, info: imported.info, dispose: imported.dispose };
  }
  if (options.featureLayer)
    throw new Error(`${full}: a Keras .h5 backbone's feature layer is fixed by its architecture; --feature-layer applies to TF.js folders`);
  const { model, info } = await importKerasH5(full, { arch: options.arch, inputSize: options.inputSize });
  if (options.preprocessing) info.preprocessing = { ...info.preprocessing, ...options.preprocessing, inputSize: info.inputSize };
  return { model, info, dispose: () => model.dispose() };
}

export function defaultBackboneId(info: BackboneInfo): string {
  const raw =
    info.source.kind === 'keras-h5'
      ? [info.arch, info.alpha === null ? null : String(info.alpha), String(info.inputSize)].filter(Boolean).join('_')
      : `${info.source.kind === 'teachable-machine' && !basename(info.source.path).startsWith('tm_') ? 'tm_' : ''}${basename(info.source.path)}`;
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}

const ARCH_LABELS: Record<BackboneInfo['arch'], string> = {
  vgg16: 'VGG16',
  'vgg-mini': 'VGG mini',
  mobilenet_v1: 'MobileNet v1',
  mobilenet_v2: 'MobileNet v2',
  resnet50: 'ResNet50',
  tfjs: 'TF.js model',
};

/**
 * Imports a source and writes it into registryDir/<id> as model.json + weights.bin + backbone.json.
 * Nothing is written unless the import succeeds (saveBackbone renames a finished folder into place),
 * so a bad file leaves the registry as it was. Returns the spec the training engine stores.
 */
export async function addBackboneToRegistry(
  path: string,
  registryDir: string,
  options: BackboneSourceOptions = {},
): Promise<{ spec: BackboneSpec; backbone: BackboneJson }> {
  const source = await importBackboneSource(path, options);
  try {
    const id = options.id ?? defaultBackboneId(source.info);
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error(`backbone id "${id}" may only use letters, digits, '.', '_' and '-'`);
    const dir = join(resolve(registryDir), id);
    const backbone = await saveBackbone(source.model, source.info, dir);
    const { info } = source;
    const spec: BackboneSpec = {
      id,
      name:
        options.name ??
        `${ARCH_LABELS[info.arch]}${info.alpha !== null ? ` ${info.alpha}` : ''} ${info.inputSize} (${basename(info.source.path)})`,
      source: info.source.path,
      dir,
      weightsSha256: backbone.weightsSha256,
      featureLayer: info.featureLayer,
      topBlockStart: info.topBlockLayers[0] ?? null,
      preprocessing: info.preprocessing,
    };
    return { spec, backbone };
  } finally {
    source.dispose();
  }
}
