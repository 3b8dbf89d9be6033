/**
 * Main's side of "what the model looks at": finds the picture, asks a training process for its
 * Grad-CAM map (training/worker/explain.ts) and, when asked, draws the map over the picture (images/).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Explanation } from '@shared/contract/explain';
import { isImageFileName, probeImageFile, renderHeatmapOverlay } from '../images';
import { runInTrainingProcess } from '../training/host/compute-client';
import type { TrainingProcessLauncher } from '../training/host/launcher';
import { readModelInfo } from '../training/protocol/model-info';
import { TrainingError } from '../training/host/supervise-process';
import type { WorkContext } from './service';
import { argmax } from './metrics';

/** The picture to explain: a file (catalogue or not) or bytes sent by the window. */
export type ExplainSource = { path: string; name: string; imageId: number | null } | { bytes: Buffer; name: string; imageId: null };

export interface ExplainRequest {
  runId: string;
  modelDir: string;
  source: ExplainSource;
  className: string | null;
  overlay: boolean;
}

/**
 * The class's index in the run, or a clear refusal naming the run's classes. Checked before any
 * process starts, so a typo costs nothing.
 */
export function explainedClassIndex(modelDir: string, runId: string, className: string | null): number | null {
  if (className === null) return null;
  const { labels } = readModelInfo(modelDir);
  const index = labels.indexOf(className);
  if (index < 0) throw new TrainingError('invalid_input', `run ${runId} has no class "${className}" (its classes: ${labels.join(', ')})`);
  return index;
}

export async function explainImage(
  launcher: TrainingProcessLauncher,
  request: ExplainRequest,
  ctx: Pick<WorkContext, 'progress' | 'signal'>,
  backend: string | null,
): Promise<Explanation> {
  const { modelDir, source } = request;
  const info = readModelInfo(modelDir);
  const classIndex = explainedClassIndex(modelDir, request.runId, request.className);
  let temp: string | null = null;
  try {
    let path: string;
    if ('bytes' in source) {
      temp = mkdtempSync(join(tmpdir(), 'lds-explain-'));
      // Only the extension of the given name is kept: a name is never a path here.
      path = join(temp, `picture${isImageFileName(source.name) ? extname(source.name).toLowerCase() : '.img'}`);
      writeFileSync(path, source.bytes);
    } else path = source.path;
    const probe = await probeImageFile(path);
    if (!probe.ok) throw new TrainingError('invalid_input', `${source.name}: ${probe.reason}`);
    const answer = await runInTrainingProcess(
      launcher,
      { type: 'explain', modelDir, paths: [path], classIndex, backend },
      { progress: ctx.progress, signal: ctx.signal },
    );
    const e = answer.explanations[0];
    if (!e || answer.explanations.length !== 1)
      throw new Error(`the training process returned ${answer.explanations.length} explanations for 1 picture`);
    const fit = info.preprocessing.fit ?? 'stretch';
    const overlay = request.overlay
      ? `data:image/png;base64,${(await renderHeatmapOverlay(path, { ...e, fit })).png.toString('base64')}`
      : null;
    return {
      runId: request.runId,
      image: source.name,
      imageId: source.imageId,
      classes: answer.labels,
      probabilities: e.probabilities,
      predicted: answer.labels[argmax(e.probabilities)] as string,
      explained: answer.labels[e.classIndex] as string,
      layer: e.layer,
      gridWidth: e.gridWidth,
      gridHeight: e.gridHeight,
      grid: e.grid,
      peak: e.peak,
      fit,
      width: probe.image.width,
      height: probe.image.height,
      overlay,
    };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
