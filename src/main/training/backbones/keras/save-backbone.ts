import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackboneInfo } from './import-keras';

/** backbone.json: how the app (and anyone else) uses the model.json + weights.bin beside it. */
export interface BackboneJson extends BackboneInfo {
  format: 'lds-backbone';
  version: 1;
  /** sha256 of weights.bin: the weights' identity in the feature-cache key. */
  weightsSha256: string;
  weightsBytes: number;
  savedAt: string;
}

function concatWeightData(data: tf.io.WeightData): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Writes a TF.js layers model folder (model.json + one weights.bin) plus backbone.json. It is
 * written into a sibling temp folder and renamed into place, so a failure leaves no half backbone.
 */
export async function saveBackbone(model: tf.LayersModel, info: BackboneInfo, dir: string): Promise<BackboneJson> {
  const staging = join(dirname(dir), `.${Date.now()}-${process.pid}.partial`);
  mkdirSync(staging, { recursive: true });
  try {
    let result: BackboneJson | null = null;
    await model.save({
      save: async (artifacts) => {
        const weights = concatWeightData(artifacts.weightData ?? new ArrayBuffer(0));
        writeFileSync(join(staging, 'weights.bin'), weights);
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: 'Little Data Studio',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        };
        writeFileSync(join(staging, 'model.json'), JSON.stringify(modelJson));
        result = {
          format: 'lds-backbone',
          version: 1,
          ...info,
          weightsSha256: createHash('sha256').update(weights).digest('hex'),
          weightsBytes: weights.byteLength,
          savedAt: new Date().toISOString(),
        };
        writeFileSync(join(staging, 'backbone.json'), `${JSON.stringify(result, null, 2)}\n`);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
      },
    });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    if (!result) throw new Error(`saving backbone to ${dir} produced nothing`);
    return result;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
