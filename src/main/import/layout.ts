import { createHash } from 'node:crypto';
import type { Split } from '@shared/contract';

const SPLIT_FOLDERS: Record<string, Split> = {
  train: 'train',
  training: 'train',
  validation: 'validation',
  val: 'validation',
  valid: 'validation',
  test: 'test',
  testing: 'test',
};

export function splitFromFolderName(name: string): Split | null {
  return SPLIT_FOLDERS[name.toLowerCase()] ?? null;
}

export interface FolderLayout {
  split: Split | null;
  className: string | null;
}

/**
 * Reads the layouts users already have (Keras flow_from_directory, PyTorch ImageFolder):
 * <root>/<class>/<img> and <root>/<split>/<class>/<img>. The class is the nearest folder that is not
 * a split name and not the import root itself; the split is the nearest split-named folder, the
 * root included (importing ".../train" puts everything in train).
 */
export function layoutOf(folders: string[]): FolderLayout {
  let split: Split | null = null;
  let className: string | null = null;
  for (let i = folders.length - 1; i >= 0; i--) {
    const name = folders[i] as string;
    const asSplit = splitFromFolderName(name);
    if (asSplit) {
      split ??= asSplit;
    } else if (i > 0 && className === null) {
      className = name;
    }
  }
  return { split, className };
}

export interface SeededSplitOptions {
  valFraction: number;
  testFraction: number;
  seed: number;
}

/**
 * A split that depends only on the content and the seed: the same image lands in the same split on
 * every machine and every re-import, whatever order the files are found in.
 */
export function seededSplit(sha256: string, { valFraction, testFraction, seed }: SeededSplitOptions): Split {
  const digest = createHash('sha256').update(`${seed}:${sha256}`).digest();
  const u = digest.readUInt32BE(0) / 2 ** 32;
  if (u < testFraction) return 'test';
  if (u < testFraction + valFraction) return 'validation';
  return 'train';
}
