/** Reading TF.js layers model folders without loading tfjs itself (main process, doctor, registry). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';

interface ModelJson {
  modelTopology: object;
  format?: string;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function readModelJson(dir: string): ModelJson {
  const file = join(dir, 'model.json');
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${file}: not a readable TensorFlow.js model.json (${(error as Error).message})`, { cause: error });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${file}: not a TensorFlow.js layers model (no modelTopology or weightsManifest)`);
  }
  return json;
}

/** Reads model.json plus its weight shards (in manifest order) without a network or file:// handler. */
export function readModelArtifacts(dir: string): tf.io.ModelArtifacts {
  const json = readModelJson(dir);
  const groups = json.weightsManifest ?? [];
  const buffers = groups.flatMap((g) =>
    g.paths.map((p) => {
      try {
        return readFileSync(join(dir, p));
      } catch {
        throw new Error(`${join(dir, 'model.json')}: weight file ${p} listed in weightsManifest is missing`);
      }
    }),
  );
  const all = Buffer.concat(buffers);
  const weightSpecs = groups.flatMap((g) => g.weights);
  const expected = weightSpecs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (
    weightSpecs.every((w) => w.dtype === 'float32' || w.dtype === undefined) &&
    !weightSpecs.some((w) => w.quantization) &&
    expected !== all.length
  ) {
    throw new Error(`${dir}: weights hold ${all.length} bytes but model.json describes ${expected}`);
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    format: json.format,
  };
}

/** sha256 of all weight bytes in manifest order: part of the feature-cache key. */
export function weightsSha256(dir: string): string {
  const artifacts = readModelArtifacts(dir);
  return createHash('sha256')
    .update(new Uint8Array(artifacts.weightData as ArrayBuffer))
    .digest('hex');
}
