/**
 * "What the model looks at": Grad-CAM maps for pictures with a saved model, in the training process
 * (compute-jobs.ts). Pictures go through the same decode + preprocess as prediction (inputBatch with
 * the model's contract, resize mode included), so the map explains the prediction the user sees.
 */
import { explainBatch, gradCamTarget, type ImageExplanation } from './grad-cam';
import { inputBatch } from './image-batches';
import type { LoadedModel } from './predict';

export type { ImageExplanation } from './grad-cam';

export interface ExplainOptions {
  onProgress?(done: number, total: number): void;
  /** Yields between pictures; throws to stop (a cancelled job). */
  checkpoint?(): Promise<void>;
}

/** One explanation per path, each for `classIndex` or, when null, for the picture's own top class. */
export async function explainFiles(
  loaded: LoadedModel,
  paths: readonly string[],
  classIndex: number | null,
  options: ExplainOptions = {},
): Promise<ImageExplanation[]> {
  const target = gradCamTarget(loaded.model);
  if (!target)
    throw new Error(
      `${loaded.info.dir}: this model has no convolutional feature map followed by a plain chain of layers, so Grad-CAM cannot explain it`,
    );
  const out: ImageExplanation[] = [];
  // One picture at a time: a gradient through the head holds A and its gradient, small either way.
  for (const [i, path] of paths.entries()) {
    await options.checkpoint?.();
    const x = await inputBatch([{ path, sha256: '0'.repeat(64), label: 0, split: 'validation' }], loaded.info.preprocessing, null);
    try {
      out.push(...(await explainBatch(target, x, classIndex)));
    } finally {
      x.dispose();
    }
    options.onProgress?.(i + 1, paths.length);
  }
  return out;
}
