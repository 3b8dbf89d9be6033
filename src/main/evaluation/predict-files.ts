import type { PredictFilesResult } from '@shared/contract/evaluation';
import { displayPath } from '../images/file-path';
import { scanFolders } from '../import/scan';
import { runInTrainingProcess } from '../training/host/compute-client';
import type { TrainingProcessLauncher } from '../training/host/launcher';
import type { WorkContext } from './service';
import { argmax } from './metrics';

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
  const items = scan.files.map(({ path }) => ({ path, sha256: '' }));
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
  const predictions = scan.files.map(({ path }, i) => {
    const p = probabilities[i] ?? [];
    const best = argmax(p);
    // Escaped bytes of a non-UTF-8 name (images/file-path) are for fs; people read U+FFFD.
    return {
      path: displayPath(path),
      class: labels[best] as string,
      confidence: p[best] as number,
      probabilities: Object.fromEntries(labels.map((l, j) => [l, p[j] as number])),
    };
  });
  return { predictions, skipped: scan.skipped };
}
