import { stat } from 'node:fs/promises';
import type { Catalogue, ImageFileRow } from '../catalogue';
import { fsPath, probeImageFile } from '../images';
import type { ImportProgress } from './import-folders';

export interface RescanResult {
  checked: number;
  missing: number;
  restored: number;
  changed: number;
  cancelled: boolean;
}

const BATCH = 256;

/**
 * Re-checks every known path. Missing files are marked (an image with no file left shows as
 * missing); files that came back are restored; files whose bytes changed are re-read, and if they
 * now hold other content the path moves to that content's image.
 */
export async function rescanCatalogue(catalogue: Catalogue, ctx: ImportProgress = {}): Promise<RescanResult> {
  const files = catalogue.images.allFiles();
  const result: RescanResult = { checked: 0, missing: 0, restored: 0, changed: 0, cancelled: false };
  for (let start = 0; start < files.length; start += BATCH) {
    if (ctx.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const batch = files.slice(start, start + BATCH);
    const checks = await Promise.all(batch.map((file) => check(file)));
    catalogue.transaction(() => {
      const touched = new Set<number>();
      checks.forEach((c, i) => {
        const file = batch[i] as ImageFileRow;
        result.checked++;
        if (c.kind === 'missing') {
          if (!file.missing) result.missing++;
          catalogue.images.updateFile({ ...file, missing: true });
        } else {
          if (file.missing) result.restored++;
          let imageId = file.imageId;
          // Touched but byte-identical (copied back, mtime bumped) is not a change.
          if (c.kind === 'changed' && c.sha256 !== undefined && c.sha256 === catalogue.images.source(file.imageId)?.sha256) {
            catalogue.images.updateFile({ id: file.id, imageId, size: c.size, mtimeMs: c.mtimeMs, missing: false });
            touched.add(imageId);
            return;
          }
          if (c.kind === 'changed') {
            result.changed++;
            if (c.sha256 && c.format && c.width && c.height) {
              imageId =
                catalogue.images.bySha(c.sha256)?.id ??
                catalogue.images.insert({
                  sha256: c.sha256,
                  width: c.width,
                  height: c.height,
                  format: c.format,
                  bytes: c.size,
                  split: catalogue.images.split(file.imageId) ?? 'unassigned',
                  splitSource: 'seeded',
                  damage: c.damage ?? null,
                });
            }
          }
          catalogue.images.updateFile({ id: file.id, imageId, size: c.size, mtimeMs: c.mtimeMs, missing: false });
          touched.add(imageId);
          if (c.kind === 'changed' && !c.sha256) catalogue.images.setStatus(imageId, 'corrupt');
        }
        touched.add(file.imageId);
      });
      for (const id of touched) {
        const current = catalogue.images.detail(id)?.status;
        if (current !== 'corrupt') catalogue.images.refreshStatus(id);
      }
    });
    ctx.progress?.(Math.min(start + BATCH, files.length), files.length, 'checking files');
  }
  return result;
}

type Check =
  | { kind: 'missing' }
  | { kind: 'same'; size: number; mtimeMs: number }
  | { kind: 'changed'; size: number; mtimeMs: number; sha256?: string; format?: string; width?: number; height?: number; damage?: string | null };

async function check(file: ImageFileRow): Promise<Check> {
  const info = await stat(fsPath(file.path)).catch(() => null);
  if (!info?.isFile()) return { kind: 'missing' };
  if (info.size === file.size && info.mtimeMs === file.mtimeMs) return { kind: 'same', size: info.size, mtimeMs: info.mtimeMs };
  const probe = await probeImageFile(file.path);
  if (!probe.ok) return { kind: 'changed', size: info.size, mtimeMs: info.mtimeMs };
  return { kind: 'changed', size: info.size, mtimeMs: info.mtimeMs, ...probe.image };
}
