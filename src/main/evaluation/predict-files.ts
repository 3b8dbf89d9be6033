import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { PredictFilesResult } from '@shared/contract/evaluation';
import { isImageFileName, probeImageFile } from '../images';
import { displayPath } from '../images/file-path';
import { scanFolders } from '../import/scan';
import { runInTrainingProcess } from '../training/host/compute-client';
import type { TrainingProcessLauncher } from '../training/host/launcher';
import type { WorkContext } from './service';
import { argmax } from './metrics';

type Prediction = PredictFilesResult['predictions'][number];

/** Predicts image paths in a training process: decoded and resized there exactly as training does. */
async function predictPaths(
  launcher: TrainingProcessLauncher,
  modelDir: string,
  paths: readonly string[],
  ctx: Pick<WorkContext, 'progress' | 'signal'>,
  device: string | null,
): Promise<Omit<Prediction, 'path'>[]> {
  const items = paths.map((path) => ({ path, sha256: '' }));
  const message = {
    type: 'predict' as const,
    modelDir,
    items,
    backbone: null,
    featuresDir: null,
    label: 'predicting',
    backend: process.env.LDS_BACKEND ?? null,
    device,
  };
  const { labels, probabilities } = await runInTrainingProcess(launcher, message, ctx);
  return paths.map((_, i) => {
    const p = probabilities[i] ?? [];
    const best = argmax(p);
    return {
      class: labels[best] as string,
      confidence: p[best] as number,
      probabilities: Object.fromEntries(labels.map((l, j) => [l, p[j] as number])),
    };
  });
}

/**
 * Predicts image files with a model folder, in a training process as everywhere else. Folders are
 * walked by the import scanner, so `lds predict` and import agree on what a folder holds.
 */
export async function predictFiles(
  launcher: TrainingProcessLauncher,
  modelDir: string,
  paths: readonly string[],
  ctx: Pick<WorkContext, 'progress' | 'signal'>,
  device: string | null,
): Promise<PredictFilesResult> {
  const scan = await scanFolders([...paths], ctx.signal);
  if (!scan.files.length) throw new Error(`no images in ${paths.join(', ')}`);
  const found = scan.files.map(({ path }) => path);
  const predictions = await predictPaths(launcher, modelDir, found, ctx, device);
  // Escaped bytes of a non-UTF-8 name (images/file-path) are for fs; people read U+FFFD.
  return { predictions: predictions.map((p, i) => ({ path: displayPath(found[i] as string), ...p })), skipped: scan.skipped };
}

/**
 * Predicts pictures given as bytes (the browser cannot give paths). Each is written to a private temp
 * folder, checked as import checks a file (so a text file or a truncated JPEG is named, not fatal to
 * the others), predicted like predictFiles, and the folder is removed whatever happens.
 * `path` in the result is the name the caller gave.
 */
export async function predictBytes(
  launcher: TrainingProcessLauncher,
  modelDir: string,
  files: readonly { name: string; data: Buffer }[],
  ctx: Pick<WorkContext, 'progress' | 'signal'>,
  device: string | null,
): Promise<PredictFilesResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lds-try-'));
  try {
    const readable: { name: string; path: string }[] = [];
    const skipped: PredictFilesResult['skipped'] = [];
    for (const [i, file] of files.entries()) {
      // Only the extension of the given name is kept: a name is never a path here.
      const ext = isImageFileName(file.name) ? extname(file.name).toLowerCase() : '.img';
      const path = join(dir, `${i}${ext}`);
      writeFileSync(path, file.data);
      const probe = await probeImageFile(path);
      if (probe.ok) readable.push({ name: file.name, path });
      else skipped.push({ path: file.name, reason: probe.reason });
    }
    if (!readable.length) return { predictions: [], skipped };
    const predictions = await predictPaths(
      launcher,
      modelDir,
      readable.map((r) => r.path),
      ctx,
      device,
    );
    return { predictions: predictions.map((p, i) => ({ path: (readable[i] as { name: string }).name, ...p })), skipped };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
