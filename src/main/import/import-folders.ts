import type { ImportOptions, ImportResult } from '@shared/contract';
import type { Catalogue } from '../catalogue';
import { displayPath, probeImageFile, type ProbeResult } from '../images';
import { layoutOf, seededSplit } from './layout';
import { scanFolders, type ScannedFile } from './scan';

/** The part of a job's context the import uses; plain objects work in tests. */
export interface ImportProgress {
  readonly signal?: AbortSignal;
  /** Paths never to scan (prefix match): the workspace's own caches when it sits inside the folder. */
  readonly exclude?: string[];
  progress?(done: number, total: number, message?: string): void;
}

/** Files probed at once and committed in one transaction: a cancel loses at most one batch. */
const BATCH = 64;

/**
 * Imports folders into the catalogue. Known paths whose size and mtime are unchanged are not even
 * read again, so a re-import only costs a scan. Each batch commits in its own transaction; a cancel
 * stops between batches and leaves everything committed so far consistent.
 */
export async function importFolders(catalogue: Catalogue, options: ImportOptions, ctx: ImportProgress = {}): Promise<ImportResult> {
  const scan = await scanFolders(options.paths, ctx.signal, ctx.exclude);
  const result: ImportResult = { scanned: scan.files.length, added: 0, unchanged: 0, duplicates: 0, newPaths: 0, skipped: scan.skipped, cancelled: false };
  const total = scan.files.length;
  ctx.progress?.(0, total, `found ${total} image files`);

  const toProbe: ScannedFile[] = [];
  for (const file of scan.files) {
    const known = catalogue.images.fileByPath(file.path);
    if (known && !known.missing && known.size === file.size && known.mtimeMs === file.mtimeMs) result.unchanged++;
    else toProbe.push(file);
  }
  let done = result.unchanged;
  ctx.progress?.(done, total);

  for (let start = 0; start < toProbe.length; start += BATCH) {
    if (ctx.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const batch = toProbe.slice(start, start + BATCH);
    const probes = await Promise.all(batch.map((file) => probeImageFile(file.path)));
    catalogue.transaction(() => {
      batch.forEach((file, i) => record(catalogue, file, probes[i] as ProbeResult, options, result));
    });
    done += batch.length;
    ctx.progress?.(done, total, `imported ${done} of ${total}`);
  }
  return result;
}

function record(catalogue: Catalogue, file: ScannedFile, probe: ProbeResult, options: ImportOptions, result: ImportResult): void {
  const { images, classes, labels } = catalogue;
  const known = images.fileByPath(file.path);
  if (!probe.ok) {
    result.skipped.push({ path: displayPath(file.path), reason: probe.reason });
    if (known) {
      // A known path whose bytes no longer decode: the image shows as corrupt until it reads again.
      images.updateFile({ ...known, size: file.size, mtimeMs: file.mtimeMs, missing: false });
      images.setStatus(known.imageId, 'corrupt');
    }
    return;
  }
  const { image } = probe;
  const layout = layoutOf(file.folders);
  let imageId = images.bySha(image.sha256)?.id;
  const isNewImage = imageId === undefined;
  if (imageId === undefined) {
    imageId = images.insert({
      ...image,
      split: layout.split ?? seededSplit(image.sha256, options),
      splitSource: layout.split ? 'folder' : 'seeded',
    });
    result.added++;
  } else {
    images.setDamage(imageId, image.damage);
  }
  if (known) {
    if (known.imageId === imageId) result.unchanged++;
    images.updateFile({ id: known.id, imageId, size: file.size, mtimeMs: file.mtimeMs, missing: false });
    // The path may have moved to other content; its former image may now have no file left.
    if (known.imageId !== imageId) images.refreshStatus(known.imageId);
  } else {
    if (!isNewImage) result.duplicates++;
    images.addFile(imageId, file.path, file.size, file.mtimeMs);
    result.newPaths++;
  }
  images.refreshStatus(imageId);
  if (layout.className) {
    const classId = classes.ensure(layout.className.trim().slice(0, 64) || layout.className);
    labels.setIfAbsent(imageId, classId, 'folder');
  }
}
