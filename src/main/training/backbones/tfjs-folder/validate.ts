import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class TfjsFolderError extends Error {}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: { dtype: string; [key: string]: unknown };
}

export interface ManifestGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface ModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: ManifestGroup[];
  [key: string]: unknown;
}

/** metadata.json of a Teachable Machine image export. */
export interface TeachableMachineMetadata {
  tmVersion?: string;
  packageName?: string;
  packageVersion?: string;
  labels?: string[];
  imageSize?: number;
  modelName?: string;
  [key: string]: unknown;
}

export interface ValidatedFolder {
  dir: string;
  modelJson: ModelJson;
  /** Bytes of all shards, in manifest order. */
  totalBytes: number;
  tensorCount: number;
  /** Set when metadata.json says this is a Teachable Machine image export. */
  teachableMachine: TeachableMachineMetadata | null;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };

function entryBytes(entry: WeightEntry, where: string): number {
  const dtype = entry.quantization?.dtype ?? entry.dtype ?? 'float32';
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new TfjsFolderError(`${where}: weight ${entry.name} has dtype ${dtype}, which this app cannot read`);
  if (!Array.isArray(entry.shape) || entry.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TfjsFolderError(`${where}: weight ${entry.name} has an invalid shape ${JSON.stringify(entry.shape)}`);
  }
  return entry.shape.reduce((a, b) => a * b, 1) * size;
}

/**
 * Checks a TF.js layers model folder without loading it: model.json parses and is a layers model,
 * every weightsManifest path exists, and each group's files hold exactly dtype x shape bytes.
 */
export function validateTfjsFolder(folder: string): ValidatedFolder {
  const dir = resolve(folder);
  const modelFile = join(dir, 'model.json');
  if (!existsSync(modelFile)) throw new TfjsFolderError(`${dir}: no model.json here (expected a TensorFlow.js layers model folder)`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(modelFile, 'utf8')) as ModelJson;
  } catch (error) {
    throw new TfjsFolderError(`${modelFile}: not valid JSON (${(error as Error).message})`);
  }
  if (json.format === 'graph-model' || (json.modelTopology && 'node' in json.modelTopology)) {
    throw new TfjsFolderError(
      `${modelFile}: a TF.js graph model; only layers models (tf.LayersModel, Keras converted) can be used as backbones`,
    );
  }
  if (!json.modelTopology || typeof json.modelTopology !== 'object') throw new TfjsFolderError(`${modelFile}: no modelTopology`);
  if (!Array.isArray(json.weightsManifest)) throw new TfjsFolderError(`${modelFile}: no weightsManifest`);
  let totalBytes = 0;
  let tensorCount = 0;
  json.weightsManifest.forEach((group, g) => {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw new TfjsFolderError(`${modelFile}: weightsManifest[${g}] needs paths and weights`);
    let actual = 0;
    for (const path of group.paths) {
      const file = join(dir, path);
      if (!existsSync(file)) throw new TfjsFolderError(`${modelFile}: weight file ${path} (weightsManifest[${g}]) is missing`);
      actual += statSync(file).size;
    }
    const expected = group.weights.reduce((n, w) => n + entryBytes(w, modelFile), 0);
    if (actual !== expected) {
      throw new TfjsFolderError(
        `${modelFile}: weightsManifest[${g}] (${group.paths.join(', ')}) holds ${actual} bytes but its ${group.weights.length} tensors need ${expected}`,
      );
    }
    totalBytes += actual;
    tensorCount += group.weights.length;
  });
  return { dir, modelJson: json, totalBytes, tensorCount, teachableMachine: readTeachableMachineMetadata(dir) };
}

/** A Teachable Machine image export is recognised by its metadata.json (tmVersion / packageName). */
export function readTeachableMachineMetadata(dir: string): TeachableMachineMetadata | null {
  const file = join(dir, 'metadata.json');
  if (!existsSync(file)) return null;
  let metadata: TeachableMachineMetadata;
  try {
    metadata = JSON.parse(readFileSync(file, 'utf8')) as TeachableMachineMetadata;
  } catch {
    return null;
  }
  if (typeof metadata !== 'object' || metadata === null) return null;
  const isTm = typeof metadata.tmVersion === 'string' || metadata.packageName === '@teachablemachine/image';
  return isTm ? metadata : null;
}

/** Reads the shards in manifest order as one buffer (what tf.io.ModelArtifacts.weightData wants). */
export function readWeightData(folder: ValidatedFolder): ArrayBuffer {
  const out = new Uint8Array(folder.totalBytes);
  let at = 0;
  for (const group of folder.modelJson.weightsManifest) {
    for (const path of group.paths) {
      const bytes = readFileSync(join(folder.dir, path));
      out.set(bytes, at);
      at += bytes.byteLength;
    }
  }
  return out.buffer;
}
