import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { describeFsError, displayPath, fsPath, isImageFileName, pathFromBytes, pathFromString } from '../images';

export interface ScannedFile {
  /** Catalogue path: bytes that are not UTF-8 escaped (see images/file-path), so fs reaches the file again. */
  path: string;
  /** Folders between the import root and the file, root's own name first, as a person reads them. */
  folders: string[];
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  /** As a person reads it (displayPath): this is for the report. */
  path: string;
  reason: string;
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: SkippedFile[];
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

interface Walk {
  root: string;
  /** The root with every link resolved: where folder links may point without leaving it. */
  realRoot: string;
  result: ScanResult;
  isExcluded: (path: string) => boolean;
  signal?: AbortSignal;
}

const skip = (result: ScanResult, path: string, reason: string): void => {
  result.skipped.push({ path: displayPath(path), reason });
};

/**
 * Walks each root recursively. Names are read as bytes, so a name that is not UTF-8 still reaches
 * its file. Hidden files and folders are left alone; symlinks to files are followed, symlinks to
 * folders are not (no loops, no escaping the folder) but are named with where they lead; anything
 * else that is not a regular image file is reported with the reason rather than silently dropped,
 * so the user learns why it is not there.
 */
export async function scanFolders(roots: string[], signal?: AbortSignal, exclude: string[] = []): Promise<ScanResult> {
  const result: ScanResult = { files: [], skipped: [] };
  const excluded = exclude.map((p) => pathFromString(resolve(p)));
  // catalogue.db also covers its -wal, -shm and .bak siblings.
  const isExcluded = (path: string): boolean =>
    excluded.some((p) => path === p || path.startsWith(p + sep) || path.startsWith(`${p}-`) || path.startsWith(`${p}.`));
  for (const given of roots) {
    const root = pathFromString(resolve(given));
    let info;
    try {
      info = await stat(fsPath(root));
    } catch (error) {
      throw new Error(`cannot import ${displayPath(root)}: ${describeFsError(error)}`, { cause: error });
    }
    if (info.isFile()) {
      // A single file: its folder is the root, so no class or split comes from the layout.
      await visitFile(root, [], result);
      continue;
    }
    if (!info.isDirectory()) throw new Error(`cannot import ${displayPath(root)}: not a folder or file`);
    const realRoot = await realPath(root).catch(() => root);
    await walk({ root, realRoot, result, isExcluded, signal }, root);
  }
  return result;
}

async function walk(w: Walk, dir: string): Promise<void> {
  if (w.signal?.aborted || w.isExcluded(dir)) return;
  const entries: Array<{ name: string; type: EntryType }> = [];
  try {
    for (const entry of await readdir(fsPath(dir), { encoding: 'buffer', withFileTypes: true })) {
      const type = entry.isDirectory()
        ? 'dir'
        : entry.isFile()
          ? 'file'
          : entry.isSymbolicLink()
            ? 'link'
            : isOther(entry)
              ? 'other'
              : 'unknown';
      entries.push({ name: pathFromBytes(entry.name), type });
    }
  } catch (error) {
    skip(w.result, dir, `folder unreadable: ${describeFsError(error)}`);
    return;
  }
  entries.sort((a, b) => collator.compare(a.name, b.name));
  const folders = [basename(w.root), ...relative(w.root, dir).split(sep).filter(Boolean)].map(displayPath);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (w.isExcluded(path)) continue;
    // Some file systems do not say what an entry is; ask.
    const type = entry.type === 'unknown' ? await lstat(fsPath(path)).then(typeOf, () => 'other' as const) : entry.type;
    if (type === 'dir') await walk(w, path);
    else if (type === 'link') {
      const target = await stat(fsPath(path)).catch(() => null);
      if (target?.isDirectory()) skip(w.result, path, await folderLinkReason(w, dir, path));
      else await visitFile(path, folders, w.result);
    } else if (type === 'file') await visitFile(path, folders, w.result);
    else if (isImageFileName(entry.name)) skip(w.result, path, 'not a regular file (FIFO, socket or device)');
  }
}

type EntryType = 'dir' | 'file' | 'link' | 'other' | 'unknown';

const isOther = (e: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): boolean =>
  e.isFIFO() || e.isSocket() || e.isBlockDevice() || e.isCharacterDevice();

const typeOf = (s: Stats): EntryType => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'link' : 'other');

async function realPath(path: string): Promise<string> {
  return pathFromBytes(await realpath(fsPath(path), { encoding: 'buffer' }));
}

const within = (path: string, folder: string): boolean => path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/**
 * Why a link to a folder is not followed, in words: a loop (it leads back to a folder it sits in),
 * outside the imported folder, or elsewhere inside it.
 */
async function folderLinkReason(w: Walk, dir: string, link: string): Promise<string> {
  const written = await readlink(fsPath(link), { encoding: 'buffer' }).then(pathFromBytes, () => '?');
  const shown = displayPath(written);
  const target = await realPath(link).catch(() => null);
  const here = await realPath(dir).catch(() => dir);
  if (target === null) return `folder link not followed (cannot resolve ${shown})`;
  if (within(here, target)) return `folder link not followed: loop (${shown} leads back to a folder that contains the link)`;
  if (!within(target, w.realRoot))
    return `folder link not followed: points outside the imported folder (to ${displayPath(target)}); import that folder itself`;
  return `folder link not followed: points inside the imported folder (to ${displayPath(target)})`;
}

async function visitFile(path: string, folders: string[], result: ScanResult): Promise<void> {
  const name = basename(path);
  if (!isImageFileName(name)) {
    skip(result, path, 'not an image file (unknown extension)');
    return;
  }
  let info;
  try {
    info = await stat(fsPath(path));
  } catch (error) {
    skip(result, path, await unreadableReason(path, error));
    return;
  }
  if (!info.isFile()) {
    skip(result, path, 'not a regular file (FIFO, socket or device)');
    return;
  }
  result.files.push({ path, folders, size: info.size, mtimeMs: info.mtimeMs });
}

/** A link whose target is gone says so, with the target, rather than "no such file". */
async function unreadableReason(path: string, error: unknown): Promise<string> {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    const target = await readlink(fsPath(path), { encoding: 'buffer' }).then(pathFromBytes, () => null);
    if (target !== null) return `dangling link (its target ${displayPath(target)} does not exist)`;
  }
  return `unreadable: ${describeFsError(error)}`;
}
