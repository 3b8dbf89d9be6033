import { stat } from 'node:fs/promises';
import type { RescanResult } from '@shared/contract';
import type { Catalogue, ImageFileRow } from '../catalogue';
import { fsPath, probeImageFile, type ProbedImage } from '../images';
import { CatalogueUpdate, describeConflicts } from './catalogue-update';
import type { ImportProgress } from './import-folders';

export type { RescanResult } from '@shared/contract';

const BATCH = 256;

/**
 * Re-checks every known path. Missing files are marked (an image with no file left shows as
 * missing); files that came back are restored; files whose bytes changed, and files that did not
 * decode last time, are read again: new content at a path takes over its label (CatalogueUpdate).
 */
export async function rescanCatalogue(catalogue: Catalogue, ctx: ImportProgress = {}): Promise<RescanResult> {
  const files = catalogue.images.allFiles();
  const result: RescanResult = {
    checked: 0,
    missing: 0,
    restored: 0,
    changed: 0,
    recovered: 0,
    edited: [],
    conflicts: [],
    cancelled: false,
  };
  for (let start = 0; start < files.length; start += BATCH) {
    if (ctx.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const batch = files.slice(start, start + BATCH);
    const checks = await Promise.all(batch.map((file) => check(file)));
    catalogue.transaction(() => {
      const update = new CatalogueUpdate(catalogue, result);
      checks.forEach((c, i) => apply(catalogue, update, batch[i] as ImageFileRow, c, result));
      update.finish();
    });
    ctx.progress?.(Math.min(start + BATCH, files.length), files.length, 'checking files');
  }
  result.conflicts = describeConflicts(catalogue);
  return result;
}

function apply(catalogue: Catalogue, update: CatalogueUpdate, file: ImageFileRow, c: Check, result: RescanResult): void {
  result.checked++;
  if (c.kind === 'missing') {
    if (file.missing) return;
    result.missing++;
    update.missing(file);
    return;
  }
  if (file.missing) result.restored++;
  const stat = { size: c.size, mtimeMs: c.mtimeMs };
  if (c.kind === 'same') {
    if (file.missing) update.present(file, stat);
    return;
  }
  if (c.kind === 'unreadable') {
    if (!file.unreadable) result.changed++;
    update.unreadable(file, stat);
    return;
  }
  // Touched but byte-identical (copied back, mtime bumped) is not a change.
  if (c.image.sha256 !== catalogue.images.source(file.imageId)?.sha256) result.changed++;
  update.content(file.path, stat, c.image, file);
}

type Check =
  | { kind: 'missing' }
  | { kind: 'same'; size: number; mtimeMs: number }
  | { kind: 'unreadable'; size: number; mtimeMs: number }
  | { kind: 'read'; size: number; mtimeMs: number; image: ProbedImage };

async function check(file: ImageFileRow): Promise<Check> {
  const info = await stat(fsPath(file.path)).catch(() => null);
  if (!info?.isFile()) return { kind: 'missing' };
  if (!file.unreadable && info.size === file.size && info.mtimeMs === file.mtimeMs)
    return { kind: 'same', size: info.size, mtimeMs: info.mtimeMs };
  const probe = await probeImageFile(file.path);
  if (!probe.ok) return { kind: 'unreadable', size: info.size, mtimeMs: info.mtimeMs };
  return { kind: 'read', size: info.size, mtimeMs: info.mtimeMs, image: probe.image };
}
