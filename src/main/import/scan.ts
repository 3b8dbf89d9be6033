import { opendir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { describeFsError, isImageFileName } from '../images';

export interface ScannedFile {
  path: string;
  /** Folders between the import root and the file, root's own name first. */
  folders: string[];
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: SkippedFile[];
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Walks each root recursively. Hidden files and folders are left alone; symlinks to files are
 * followed, symlinks to folders are not (no loops); anything that is not a regular image file is
 * reported with the reason rather than silently dropped, so the user learns why it is not there.
 */
export async function scanFolders(roots: string[], signal?: AbortSignal, exclude: string[] = []): Promise<ScanResult> {
  const result: ScanResult = { files: [], skipped: [] };
  const excluded = exclude.map((p) => resolve(p));
  // catalogue.db also covers its -wal, -shm and .bak siblings.
  const isExcluded = (path: string): boolean =>
    excluded.some((p) => path === p || path.startsWith(p + sep) || path.startsWith(`${p}-`) || path.startsWith(`${p}.`));
  for (const given of roots) {
    const root = resolve(given);
    let info;
    try {
      info = await stat(root);
    } catch (error) {
      throw new Error(`cannot import ${root}: ${describeFsError(error)}`, { cause: error });
    }
    if (info.isFile()) {
      // A single file: its folder is the root, so no class or split comes from the layout.
      await visitFile(root, [], result);
      continue;
    }
    if (!info.isDirectory()) throw new Error(`cannot import ${root}: not a folder or file`);
    await walk(root, root, result, isExcluded, signal);
  }
  return result;
}

async function walk(root: string, dir: string, result: ScanResult, isExcluded: (path: string) => boolean, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || isExcluded(dir)) return;
  let entries;
  try {
    const handle = await opendir(dir);
    entries = [];
    for await (const entry of handle) entries.push(entry);
  } catch (error) {
    result.skipped.push({ path: dir, reason: `folder unreadable: ${describeFsError(error)}` });
    return;
  }
  entries.sort((a, b) => collator.compare(a.name, b.name));
  const folders = [basename(root), ...relative(root, dir).split(sep).filter(Boolean)];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (isExcluded(path)) continue;
    if (entry.isDirectory()) await walk(root, path, result, isExcluded, signal);
    else if (entry.isSymbolicLink() || entry.isFile()) {
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => null);
        if (target?.isDirectory()) continue;
      }
      await visitFile(path, folders, result);
    } else if (isImageFileName(entry.name)) {
      result.skipped.push({ path, reason: 'not a regular file (FIFO, socket or device)' });
    }
  }
}

async function visitFile(path: string, folders: string[], result: ScanResult): Promise<void> {
  const name = basename(path);
  if (!isImageFileName(name)) {
    result.skipped.push({ path, reason: 'not an image file (unknown extension)' });
    return;
  }
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    result.skipped.push({ path, reason: `unreadable: ${describeFsError(error)}` });
    return;
  }
  if (!info.isFile()) {
    result.skipped.push({ path, reason: 'not a regular file (FIFO, socket or device)' });
    return;
  }
  result.files.push({ path, folders, size: info.size, mtimeMs: info.mtimeMs });
}
