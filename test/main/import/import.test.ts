import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../src/main/catalogue';
import { importFolders, layoutOf, rescanCatalogue, seededSplit } from '../../../src/main/import';
import { noisyJpeg, writeAwkwardSet } from '../../fixtures/images';

let dir: string;
let catalogue: Catalogue;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-import-'));
  catalogue = Catalogue.openWorkspace(join(dir, 'workspace'));
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

const opts = (paths: string[], extra: Partial<{ valFraction: number; testFraction: number; seed: number }> = {}) => ({
  paths,
  valFraction: 0.2,
  testFraction: 0,
  seed: 42,
  ...extra,
});

describe('import of awkward files', () => {
  it('imports the good ones, merges copies, and lists every bad one with its reason', async () => {
    const set = await writeAwkwardSet(join(dir, 'photos'));
    const result = await importFolders(catalogue, opts([set.root]));
    const expectedOk = Object.entries(set.expected)
      .filter(([, v]) => v === 'ok')
      .map(([k]) => k);
    const expectedSkipped = Object.entries(set.expected)
      .filter(([, v]) => v === 'skipped')
      .map(([k]) => k);
    expect(result.added).toBe(expectedOk.length);
    expect(result.duplicates).toBe(1);
    expect(result.newPaths).toBe(expectedOk.length + 1);
    expect(result.skipped.map((s) => basename(s.path)).sort()).toEqual(expectedSkipped.sort());
    const reason = (name: string): string => result.skipped.find((s) => basename(s.path) === name)?.reason ?? '';
    expect(reason('corrupt.jpg')).toBe('truncated JPEG (the file ends early)');
    expect(reason('zero.jpg')).toBe('empty file (0 bytes)');
    expect(reason('text.jpg')).toBe('not an image (text)');
    expect(reason('old.bmp')).toBe('BMP is not supported');
    expect(reason('notes.txt')).toMatch(/not an image file/);
    expect(reason('dangling.jpg')).toMatch(/^dangling link \(its target .*does-not-exist\.jpg does not exist\)$/);
    expect(reason('pipe.jpg')).toMatch(/not a regular file/);

    const items = catalogue.images.list({ classId: null, split: null, filter: 'all' });
    expect(items).toHaveLength(expectedOk.length);
    expect(items.find((i) => i.name === 'rotated.jpg')).toMatchObject({ width: 20, height: 40 });
    expect(items.some((i) => i.name === 'café-ñandú-猫.jpg')).toBe(true);
    const dup = catalogue.images.list({ classId: null, split: null, filter: 'duplicate' });
    expect(dup).toHaveLength(1);
    expect(catalogue.images.detail(dup[0]?.id as number)?.paths.map((p) => basename(p))).toEqual(['copy-a.jpg', 'copy-b.jpg']);
    // No class folders: nothing labelled; no split folders: seeded split.
    expect(catalogue.status()).toMatchObject({ unlabelled: expectedOk.length, duplicates: 1, classes: [] });
    expect(catalogue.db.prepare("SELECT count(*) AS n FROM images WHERE split_source = 'seeded'").get()).toEqual({ n: expectedOk.length });
  });

  it('picks up new files on re-import and leaves known ones untouched', async () => {
    const root = join(dir, 'data');
    mkdirSync(join(root, 'cats'), { recursive: true });
    mkdirSync(join(root, 'dogs'), { recursive: true });
    writeFileSync(join(root, 'cats', 'a.jpg'), await noisyJpeg(16, 16, 10));
    writeFileSync(join(root, 'dogs', 'b.jpg'), await noisyJpeg(16, 16, 11));
    const first = await importFolders(catalogue, opts([root]));
    expect(first).toMatchObject({ added: 2, newPaths: 2 });
    // A label the user changed must survive a re-import of the folder layout.
    const a = catalogue.images.list({ classId: null, split: null, filter: 'all' }).find((i) => i.name === 'a.jpg');
    const dogs = catalogue.classes.idByName('dogs') as number;
    catalogue.labels.set({ imageId: a?.id as number, classId: dogs, source: 'manual', confidence: null });

    writeFileSync(join(root, 'cats', 'c.jpg'), await noisyJpeg(16, 16, 12));
    writeFileSync(join(root, 'dogs', 'copy-of-b.jpg'), await noisyJpeg(16, 16, 11));
    const second = await importFolders(catalogue, opts([root]));
    expect(second).toMatchObject({ scanned: 4, added: 1, unchanged: 2, duplicates: 1, newPaths: 2, skipped: [] });
    expect(catalogue.labels.get(a?.id as number)).toMatchObject({ classId: dogs, source: 'manual' });
    expect(catalogue.status().classes.map((c) => [c.name, c.count])).toEqual([
      ['cats', 1],
      ['dogs', 2],
    ]);
  });

  it('cancels between batches and leaves a consistent catalogue that a re-import completes', async () => {
    const root = join(dir, 'many');
    mkdirSync(root);
    for (let i = 0; i < 200; i++) writeFileSync(join(root, `img-${i}.jpg`), await noisyJpeg(8, 8, 100 + i));
    const controller = new AbortController();
    const result = await importFolders(catalogue, opts([root]), {
      signal: controller.signal,
      progress: (done) => {
        if (done >= 64) controller.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.added).toBeGreaterThan(0);
    expect(result.added).toBeLessThan(200);
    const files = catalogue.db.prepare('SELECT count(*) AS n FROM image_files').get() as { n: number };
    expect(files.n).toBe(result.added);
    expect(catalogue.db.pragma('foreign_key_check')).toEqual([]);
    const rest = await importFolders(catalogue, opts([root]));
    expect(rest.added + result.added).toBe(200);
    expect(rest.unchanged).toBe(result.added);
  });

  it('rescan marks missing files and restores them when they come back', async () => {
    const root = join(dir, 'r');
    mkdirSync(root);
    writeFileSync(join(root, 'x.jpg'), await noisyJpeg(8, 8, 1));
    writeFileSync(join(root, 'y.jpg'), await noisyJpeg(8, 8, 2));
    await importFolders(catalogue, opts([root]));
    renameSync(join(root, 'x.jpg'), join(dir, 'x-away.jpg'));
    const gone = await rescanCatalogue(catalogue);
    expect(gone).toMatchObject({ checked: 2, missing: 1, restored: 0 });
    expect(catalogue.status().missing).toBe(1);
    expect(catalogue.images.list({ classId: null, split: null, filter: 'missing' }).map((i) => i.name)).toEqual(['x.jpg']);
    renameSync(join(dir, 'x-away.jpg'), join(root, 'x.jpg'));
    const back = await rescanCatalogue(catalogue);
    expect(back).toMatchObject({ missing: 0, restored: 1, changed: 0 });
    expect(catalogue.status().missing).toBe(0);
    // New bytes at a known path: the path moves to the new content; the old content, at no path now, goes.
    writeFileSync(join(root, 'y.jpg'), await noisyJpeg(8, 8, 3));
    const changed = await rescanCatalogue(catalogue);
    expect(changed).toMatchObject({ changed: 1 });
    expect(catalogue.images.count()).toBe(2);
    expect(catalogue.status().missing).toBe(0);
    // A file that stops decoding marks its image corrupt.
    writeFileSync(join(root, 'x.jpg'), 'garbage');
    await rescanCatalogue(catalogue);
    expect(catalogue.status().corrupt).toBe(1);
  });
});

describe('folder layout and seeded split', () => {
  it('reads class and split from Keras / ImageFolder layouts', () => {
    expect(layoutOf(['root', 'train', 'cats'])).toEqual({ split: 'train', className: 'cats' });
    expect(layoutOf(['root', 'val', 'dogs'])).toEqual({ split: 'validation', className: 'dogs' });
    expect(layoutOf(['root', 'cats'])).toEqual({ split: null, className: 'cats' });
    expect(layoutOf(['root'])).toEqual({ split: null, className: null });
    expect(layoutOf(['train', 'cats'])).toEqual({ split: 'train', className: 'cats' });
    expect(layoutOf(['root', 'cats', 'Test'])).toEqual({ split: 'test', className: 'cats' });
  });

  it('is deterministic per content and seed and follows the fractions', () => {
    const hashes = Array.from({ length: 4000 }, (_, i) => i.toString(16).padStart(64, '0'));
    const split = (seed: number) => hashes.map((h) => seededSplit(h, { valFraction: 0.2, testFraction: 0.1, seed }));
    const a = split(1);
    expect(split(1)).toEqual(a);
    expect(split(2)).not.toEqual(a);
    const count = (s: string) => a.filter((x) => x === s).length / hashes.length;
    expect(count('validation')).toBeCloseTo(0.2, 1);
    expect(count('test')).toBeCloseTo(0.1, 1);
    expect(count('train')).toBeCloseTo(0.7, 1);
  });
});
