import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ImportOptions, ImportResult } from '@shared/contract';
import type { Catalogue, ImageFileRow } from '../catalogue';
import { displayPath, fsPath, pathFromString, probeImageFile, type ProbeResult } from '../images';
import { CatalogueUpdate, describeConflicts } from './catalogue-update';
import { matchCsvLabels, readCsvLabels, type CsvLabels, type CsvPlacement } from './csv-labels';
import { layoutOf, seededSplit } from './layout';
import { scanFolders, type ScanResult, type ScannedFile } from './scan';

/** The part of a job's context the import uses; plain objects work in tests. */
export interface ImportProgress {
  readonly signal?: AbortSignal;
  /** Paths never to scan (prefix match): the workspace's own caches when it sits inside the folder. */
  readonly exclude?: string[];
  progress?(done: number, total: number, message?: string): void;
  /** options.labels already read (the engine reads it before starting the job, to fail early). */
  readonly csv?: CsvLabels;
}

/** Files probed at once and committed in one transaction: a cancel loses at most one batch. */
const BATCH = 64;

/**
 * Imports folders into the catalogue. Known paths whose size and mtime are unchanged are not even
 * read again, so a re-import only costs a scan. Each batch commits in its own transaction; a cancel
 * stops between batches and leaves everything committed so far consistent. What the catalogue then
 * believes (corrupt, edited in place, label conflicts) is CatalogueUpdate's business.
 */
export async function importFolders(catalogue: Catalogue, options: ImportOptions, ctx: ImportProgress = {}): Promise<ImportResult> {
  const csv = ctx.csv ?? (options.labels ? await readCsvLabels(options.labels) : undefined);
  // The labels file often sits among the images: it is not a skipped image.
  const scan = await scanFolders(options.paths, ctx.signal, csv ? [...(ctx.exclude ?? []), csv.file] : ctx.exclude);
  const match = csv ? matchCsvLabels(csv, scan.files, options.paths) : undefined;
  const placements = match?.placements ?? new Map<string, CsvPlacement>();
  const result: ImportResult = {
    scanned: scan.files.length,
    added: 0,
    unchanged: 0,
    duplicates: 0,
    newPaths: 0,
    skipped: scan.skipped,
    missing: 0,
    recovered: 0,
    edited: [],
    conflicts: [],
    ...(match ? { labels: match.report } : {}),
    cancelled: false,
  };
  const total = scan.files.length;
  ctx.progress?.(0, total, `found ${total} image files`);

  const toProbe: ScannedFile[] = [];
  const reclaimed: Array<{ known: ImageFileRow; classId: number | null }> = [];
  for (const file of scan.files) {
    const known = catalogue.images.fileByPath(file.path);
    // A path that did not decode last time is read again even if untouched: it may read now.
    if (known && !known.missing && !known.unreadable && known.size === file.size && known.mtimeMs === file.mtimeMs) {
      result.unchanged++;
      // Unchanged bytes, but maybe another class folder than the catalogue knows (a catalogue from
      // before folders were kept per path). Only classes that exist: a class renamed or deleted by the
      // user is not brought back by a re-import of files it already had.
      const placed = placements.get(file.path);
      if (placed) {
        // The CSV was asked for: its classes are made, and a file whose rows disagree loses its claim.
        const classId = placed.className === null ? null : catalogue.classes.ensure(placed.className);
        if (classId !== known.folderClassId) reclaimed.push({ known, classId });
        continue;
      }
      const name = classNameOf(file);
      const classId = name === null ? undefined : catalogue.classes.idByName(name);
      if (classId !== undefined && classId !== known.folderClassId) reclaimed.push({ known, classId });
    } else toProbe.push(file);
  }
  if (reclaimed.length) {
    catalogue.transaction(() => {
      const update = new CatalogueUpdate(catalogue, result);
      for (const { known, classId } of reclaimed) update.reclaim(known, classId);
      update.finish();
    });
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
      const update = new CatalogueUpdate(catalogue, result);
      batch.forEach((file, i) => record(catalogue, update, file, probes[i] as ProbeResult, options, result, placements.get(file.path)));
      update.finish();
    });
    done += batch.length;
    ctx.progress?.(done, total, `imported ${done} of ${total}`);
  }
  if (!result.cancelled) result.missing = await markVanished(catalogue, options.paths, scan, result);
  const seen = new Set(scan.files.map((f) => f.path));
  result.conflicts = describeConflicts(catalogue, (imageId) => catalogue.images.files(imageId).some((f) => seen.has(f.path)));
  if (result.labels) applyCsvOutcome(catalogue, placements, result, result.labels);
  return result;
}

/**
 * After the files are recorded: a file whose CSV rows disagree is a label conflict like a picture
 * under two class folders (its folder label is cleared and it is reported), and the split column
 * moves every image it names that the user has not placed by hand.
 */
function applyCsvOutcome(
  catalogue: Catalogue,
  placements: Map<string, CsvPlacement>,
  result: ImportResult,
  report: NonNullable<ImportResult['labels']>,
): void {
  const { images, labels } = catalogue;
  let labelled = 0;
  let split = 0;
  catalogue.transaction(() => {
    for (const [path, placed] of placements) {
      const file = images.fileByPath(path);
      // Not imported (it did not decode, or the import was cancelled first).
      if (!file || file.missing || file.unreadable) continue;
      if (placed.className !== null) labelled++;
      else {
        const label = labels.get(file.imageId);
        if (label.classId !== null && label.source === 'folder')
          labels.set({ imageId: file.imageId, classId: null, source: 'folder', confidence: null });
        const known = result.conflicts.find((c) => c.imageId === file.imageId);
        if (known) {
          known.classes = [...new Set([...known.classes, ...placed.labels])];
          known.paths = [...new Set([...known.paths, displayPath(path)])];
        } else result.conflicts.push({ imageId: file.imageId, classes: placed.labels, paths: [displayPath(path)] });
      }
      if (placed.split === null) continue;
      const now = images.placement(file.imageId);
      if (now && now.splitSource !== 'manual') {
        if (now.split !== placed.split || now.splitSource !== 'folder') images.setSplit(file.imageId, placed.split, 'folder');
        split++;
      }
    }
  });
  report.labelled = labelled;
  report.split = split;
}

/** The class folder a scanned file sits in, as a class name (null: none). */
function classNameOf(file: ScannedFile): string | null {
  const { className } = layoutOf(file.folders);
  return className === null ? null : className.trim().slice(0, 64) || className;
}

function record(
  catalogue: Catalogue,
  update: CatalogueUpdate,
  file: ScannedFile,
  probe: ProbeResult,
  options: ImportOptions,
  result: ImportResult,
  placed: CsvPlacement | undefined,
): void {
  const known = catalogue.images.fileByPath(file.path);
  const stat = { size: file.size, mtimeMs: file.mtimeMs };
  if (!probe.ok) {
    result.skipped.push({ path: displayPath(file.path), reason: probe.reason });
    // A known path whose bytes no longer decode: its image shows as corrupt until it reads again.
    if (known) update.unreadable(known, stat);
    return;
  }
  // Only a picture that reads makes its folder a class (a folder of junk adds none).
  // A row of the labels CSV speaks for the file instead of its folder.
  const name = placed ? placed.className : classNameOf(file);
  const folderClassId = name === null ? null : catalogue.classes.ensure(name);
  const outcome = update.content(file.path, stat, probe.image, known, {
    folderClassId,
    folderSplit: placed?.split ?? layoutOf(file.folders).split,
    seededSplit: (sha256) => seededSplit(sha256, options),
  });
  if (outcome.newImage) result.added++;
  if (outcome.path === 'same') result.unchanged++;
  if (outcome.path === 'new') {
    result.newPaths++;
    if (!outcome.newImage) result.duplicates++;
  }
}

/**
 * Known paths under the imported folders that the scan did not find and that are really gone (a file
 * moved to another class folder, say) are marked missing, as a rescan would: otherwise the old path
 * would still count as a class folder holding the picture.
 */
async function markVanished(catalogue: Catalogue, roots: string[], scan: ScanResult, result: ImportResult): Promise<number> {
  const under = roots.map((r) => pathFromString(resolve(r)));
  const found = new Set(scan.files.map((f) => f.path));
  const candidates = catalogue.images
    .allFiles()
    .filter((f) => !f.missing && !found.has(f.path) && under.some((root) => f.path === root || f.path.startsWith(root + sep)));
  const gone: ImageFileRow[] = [];
  // Only what really is not there: a path the scan skipped (unreadable, a folder link) still exists.
  for (const file of candidates) if (!(await stat(fsPath(file.path)).catch(() => null))) gone.push(file);
  if (gone.length) {
    catalogue.transaction(() => {
      const update = new CatalogueUpdate(catalogue, result);
      for (const file of gone) update.missing(file);
      update.finish();
    });
  }
  return gone.length;
}
