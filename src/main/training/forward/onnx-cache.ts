import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/**
 * Converted graphs on disk, one .onnx per (content of the layers that run, output layer, converter
 * version), beside a small JSON of its names and shapes and of the check against TF.js that it passed.
 * The key is computed from the cut model itself (topology without its name + every weight's bytes),
 * so a fine-tuned run, a bottleneck run and the backbone share a graph exactly when the layers that
 * run are the same, and nothing else invalidates it.
 */

export const onnxMetaSchema = z.object({
  key: z.string(),
  outputLayer: z.string().nullable(),
  inputName: z.string(),
  outputName: z.string(),
  inputShape: z.array(z.number().nullable()),
  outputShape: z.array(z.number().nullable()),
  opset: z.number().int(),
  /** Largest |ORT − TF.js| on the check input, relative to the largest |TF.js| (at least 1). */
  checkError: z.number(),
  /** Of the .onnx bytes: a damaged or replaced file is a miss, never a wrong graph. */
  onnxSha256: z.string(),
});
export type OnnxMeta = z.infer<typeof onnxMetaSchema>;

export function modelContentKey(model: tf.LayersModel, outputLayer: string | null, converterVersion: string): string {
  const hash = createHash('sha256');
  // returnString false: the topology as an object (weights are hashed below, by value).
  const topology = model.toJSON(null, false) as unknown as { config: Record<string, unknown> };
  const { name: _name, ...graph } = topology.config;
  hash.update(JSON.stringify({ graph, outputLayer, converterVersion }));
  for (const weight of model.weights) {
    hash.update(weight.originalName);
    const values = weight.read().dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex').slice(0, 32);
}

export class OnnxCache {
  constructor(readonly dir: string) {}

  #paths(key: string): { onnx: string; meta: string } {
    if (!/^[0-9a-f]{32}$/.test(key)) throw new Error(`onnx cache: not a key: ${key}`);
    return { onnx: join(this.dir, `${key}.onnx`), meta: join(this.dir, `${key}.json`) };
  }

  /** The graph and its meta, or null when absent or unreadable (a torn or foreign file is a miss). */
  get(key: string): { onnx: Uint8Array; meta: OnnxMeta } | null {
    const paths = this.#paths(key);
    try {
      const meta = onnxMetaSchema.parse(JSON.parse(readFileSync(paths.meta, 'utf8')));
      if (meta.key !== key) return null;
      const onnx = readFileSync(paths.onnx);
      if (createHash('sha256').update(onnx).digest('hex') !== meta.onnxSha256) return null;
      return { onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength), meta };
    } catch {
      return null;
    }
  }

  remove(key: string): void {
    const paths = this.#paths(key);
    rmSync(paths.meta, { force: true });
    rmSync(paths.onnx, { force: true });
  }

  /** Graph first, meta last: meta present means the graph beside it is whole. */
  put(meta: Omit<OnnxMeta, 'onnxSha256'>, onnx: Uint8Array): void {
    const paths = this.#paths(meta.key);
    mkdirSync(this.dir, { recursive: true });
    const write = (file: string, data: Uint8Array | string): void => {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, file);
    };
    write(paths.onnx, onnx);
    write(paths.meta, `${JSON.stringify({ ...meta, onnxSha256: createHash('sha256').update(onnx).digest('hex') })}\n`);
  }
}
