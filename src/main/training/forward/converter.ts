import type * as tf from '@tensorflow/tfjs';

/** What the converter (./convert) answers for a TF.js layers model: an ONNX graph, or the first layer it cannot express. */
export type ConvertResult =
  | { ok: true; onnx: Uint8Array; inputName: string; outputName: string; inputShape: number[]; outputShape: number[]; opset: number }
  | { ok: false; layer: string; className: string; reason: string };

export interface ConvertOptions {
  /** Cut the graph at this layer's output (default: the model's output). */
  outputLayer?: string;
  batch?: 'dynamic';
}

export type LayersModelConverter = (model: tf.LayersModel, options?: ConvertOptions) => ConvertResult;

/** The converter the engine uses unless a caller (a test) injects another, and its version (part of the cache key). */
export async function defaultConverter(): Promise<{ convert: LayersModelConverter; version: string }> {
  const module = (await import('./convert')) as { convertLayersModel: LayersModelConverter; CONVERTER_VERSION?: string | number };
  return { convert: module.convertLayersModel, version: String(module.CONVERTER_VERSION ?? '1') };
}
