/**
 * Main's side of "what the model looks at": finds the picture, asks a training process for its
 * Grad-CAM map (training/worker/explain.ts) and, when asked, draws the map over the picture (images/).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { ExplainImagesResult, Explanation } from '@shared/contract/explain';
import { isImageFileName, probeImageFile, renderHeatmapOverlay } from '../images';
import { runInTrainingProcess, type ComputeAnswers } from '../training/host/compute-client';
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

type WorkerExplanation = ComputeAnswers['explain']['explanations'][number];

function explanationOf(
  runId: string,
  labels: readonly string[],
  e: WorkerExplanation,
  fit: Explanation['fit'],
  source: { name: string; imageId: number | null },
  size: { width: number; height: number },
): Explanation {
  return {
    runId,
    image: source.name,
    imageId: source.imageId,
    classes: [...labels],
    probabilities: e.probabilities,
    predicted: labels[argmax(e.probabilities)] as string,
    explained: labels[e.classIndex] as string,
    layer: e.layer,
    gridWidth: e.gridWidth,
    gridHeight: e.gridHeight,
    grid: e.grid,
    peak: e.peak,
    fit,
    width: size.width,
    height: size.height,
    overlay: null,
  };
}

/**
 * Many catalogue pictures in one training process (the mistakes gallery asks for a screenful): a
 * picture that cannot be read is listed in `skipped` with why, the others are explained.
 */
export async function explainImages(
  launcher: TrainingProcessLauncher,
  request: { runId: string; modelDir: string; sources: { path: string; name: string; imageId: number }[]; className: string | null },
  ctx: Pick<WorkContext, 'progress' | 'signal'>,
  backend: string | null,
): Promise<ExplainImagesResult> {
  const info = readModelInfo(request.modelDir);
  const classIndex = explainedClassIndex(request.modelDir, request.runId, request.className);
  const readable: { source: (typeof request.sources)[number]; size: { width: number; height: number } }[] = [];
  const skipped: ExplainImagesResult['skipped'] = [];
  for (const source of request.sources) {
    const probe = await probeImageFile(source.path);
    if (probe.ok) readable.push({ source, size: probe.image });
    else skipped.push({ imageId: source.imageId, reason: probe.reason });
  }
  if (!readable.length) return { explanations: [], skipped };
  const answer = await runInTrainingProcess(
    launcher,
    { type: 'explain', modelDir: request.modelDir, paths: readable.map((r) => r.source.path), classIndex, backend },
    { progress: ctx.progress, signal: ctx.signal },
  );
  if (answer.explanations.length !== readable.length)
    throw new Error(`the training process returned ${answer.explanations.length} explanations for ${readable.length} pictures`);
  const fit = info.preprocessing.fit ?? 'stretch';
  return {
    explanations: answer.explanations.map((e, i) =>
      explanationOf(request.runId, answer.labels, e, fit, readable[i]!.source, readable[i]!.size),
    ),
    skipped,
  };
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
    return { ...explanationOf(request.runId, answer.labels, e, fit, source, probe.image), overlay };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
