import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventArgs, RunInfo, TrainRequest } from '@shared/contract';
import { Engine, type EngineOptions } from '../../../src/main/engine/engine';
import type { DatasetManifest, ManifestItem, StartMessage, TrainConfig } from '../../../src/main/training/protocol/worker-protocol';

export const DATA = resolve(__dirname, '../../../../shared/data');
export const CATS_DOGS = join(DATA, 'cats_and_dogs_filtered');
export const RESOURCES = resolve(__dirname, '../../../resources');

/** A small real subset of cats_and_dogs_filtered: n training and v validation images per class. */
export function catsDogsManifest(n: number, v: number): DatasetManifest {
  const items: ManifestItem[] = [];
  ['cats', 'dogs'].forEach((cls, label) => {
    for (const [split, count] of [
      ['train', n],
      ['validation', v],
    ] as const) {
      const dir = join(CATS_DOGS, split, cls);
      const files = readdirSync(dir).sort().slice(0, count);
      for (const f of files) {
        const path = join(dir, f);
        items.push({ path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), label, split });
      }
    }
  });
  return { classes: ['cats', 'dogs'], items };
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `lds-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const FAST_CONFIG: TrainConfig = {
  epochs: 5,
  batchSize: 16,
  learningRate: 1e-3,
  seed: 1,
  patience: 0,
  inputSize: 64,
  hidden: 0,
  dropout: 0.2,
  augment: null,
  augmentVariants: 0,
  cacheVariants: 0,
};

export function startMessage(
  partial: Partial<StartMessage> & Pick<StartMessage, 'mode' | 'manifest' | 'featuresDir' | 'outDir'>,
): StartMessage {
  return { type: 'start', runId: 'test-run', config: FAST_CONFIG, backbone: null, parentModelDir: null, backend: null, ...partial };
}

/**
 * Copies a small real subset into `<dir>/photos/{train,validation}/{cats,dogs}` (a temp folder, never
 * the repo) so the import module can read it like a user's folder.
 */
export function copyCatsDogs(dir: string, n: number, v: number): string {
  const photos = join(dir, 'photos');
  for (const [split, count] of [
    ['train', n],
    ['validation', v],
  ] as const) {
    for (const cls of ['cats', 'dogs']) {
      const from = join(CATS_DOGS, split, cls);
      const to = join(photos, split, cls);
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(from).sort().slice(0, count)) copyFileSync(join(from, f), join(to, f));
    }
  }
  return photos;
}

/** An engine over a fresh workspace with the subset imported (classes and splits from folders). */
export async function engineWithCatsDogs(dir: string, n: number, v: number, options: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test', ...options });
  await engine.call('project.open', { dir: join(dir, 'ws'), create: true });
  const photos = copyCatsDogs(dir, n, v);
  const { jobId } = await engine.call('library.import', { paths: [photos] });
  const job = await engine.jobs.wait(jobId);
  if (job.status !== 'succeeded') throw new Error(`import failed: ${job.error}`);
  return engine;
}

/** Starts a run through the contract and resolves with its final info, collecting its epoch events. */
export async function trainToEnd(
  engine: Engine,
  request: TrainRequest,
  onEvent?: (...args: EventArgs) => void,
): Promise<{ run: RunInfo; epochs: unknown[] }> {
  const epochs: unknown[] = [];
  let runId = '';
  const off = engine.events.subscribe((...args) => {
    const [event, payload] = args;
    if ((event !== 'run.epoch' && event !== 'run.progress' && event !== 'run.finished') || payload.runId !== runId) return;
    if (event === 'run.epoch') epochs.push(payload);
    onEvent?.(...args);
  });
  try {
    const started = await engine.call('train.start', request);
    runId = started.runId;
    await engine.jobs.wait(started.jobId);
    return { run: await engine.call('runs.get', { id: started.runId }), epochs };
  } finally {
    off();
  }
}
