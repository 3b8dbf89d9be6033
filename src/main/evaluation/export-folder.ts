import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Why a folder cannot take an export, in words, or null when it can (it exists as a folder or can be
 * created). Checked before any file is written, so a typo never half-writes an export.
 */
export function exportFolderProblem(dir: string): string | null {
  let at = resolve(dir);
  for (;;) {
    let info;
    try {
      info = statSync(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up; walk up to it and name it.
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const parent = dirname(at);
        if (parent === at) return null;
        at = parent;
        continue;
      }
      if (code === 'EACCES' || code === 'EPERM') return `${at} cannot be read (permission denied): choose another folder`;
      return `${dir} cannot be used: ${(error as Error).message}`;
    }
    if (info.isDirectory()) return null;
    return at === resolve(dir)
      ? `${dir} is a file, not a folder: choose a folder to export into`
      : `${at} is a file, so ${dir} cannot be a folder inside it: choose a folder`;
  }
}

/** The export's own filesystem errors in words (the worker's raw "ENOTDIR: …, unlink …" is for logs). */
export function describeExportError(dir: string, error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException).code ?? /\b(E[A-Z]+)\b/.exec((error as Error).message ?? '')?.[1];
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return `cannot write to ${dir} (${code === 'EROFS' ? 'read-only' : 'permission denied'}): choose another folder`;
  if (code === 'ENOSPC') return `the disk holding ${dir} is full`;
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST')
    return `${dir} cannot hold the export: a file is in the way of a folder (or a folder of a file) there`;
  return null;
}
