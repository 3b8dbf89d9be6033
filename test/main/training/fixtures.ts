import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DatasetManifest, ManifestItem, StartMessage, TrainConfig } from '../../../src/main/training/protocol';

export const DATA = resolve(__dirname, '../../../../shared/data');
export const CATS_DOGS = join(DATA, 'cats_and_dogs_filtered');
export const RESOURCES = resolve(__dirname, '../../../resources');

/** A small real subset of cats_and_dogs_filtered: n training and v validation images per class. */
export function catsDogsManifest(n: number, v: number): DatasetManifest {
  const items: ManifestItem[] = [];
  ['cats', 'dogs'].forEach((cls, label) => {
    for (const [split, count] of [['train', n], ['validation', v]] as const) {
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

export function startMessage(partial: Partial<StartMessage> & Pick<StartMessage, 'mode' | 'manifest' | 'featuresDir' | 'outDir'>): StartMessage {
  return { type: 'start', runId: 'test-run', config: FAST_CONFIG, backbone: null, parentModelDir: null, backend: null, ...partial };
}
