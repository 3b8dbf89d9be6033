import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';

interface ModelJson {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** A tfjs IOHandler reading a layers model.json and its weight shards from disk. */
export function layersModelFromFile(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      let json: ModelJson;
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
      } catch (error) {
        throw new Error(`${modelJsonPath}: not a readable tfjs model.json (${(error as Error).message})`, { cause: error });
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new Error(`${modelJsonPath}: model.json lacks modelTopology or weightsManifest`);
      }
      const dir = dirname(modelJsonPath);
      const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
      const shards = await Promise.all(
        json.weightsManifest.flatMap((group) =>
          group.paths.map(async (p) => {
            const bytes = await readFile(join(dir, p)).catch((error: Error) => {
              throw new Error(`${join(dir, p)}: weight shard unreadable (${error.message})`, { cause: error });
            });
            return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          }),
        ),
      );
      const total = shards.reduce((n, s) => n + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const shard of shards) {
        weightData.set(shard, offset);
        offset += shard.byteLength;
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: weightData.buffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
    },
  };
}
