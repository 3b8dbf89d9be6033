/**
 * What the catalogue believes after files change under it and are re-imported or rescanned: corrupt
 * clears when a file reads again, an edited file keeps its path's label, and one picture under two
 * class folders is a label conflict the user resolves.
 */
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  copyFileSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../src/main/catalogue';
import { RunsRepository } from '../../../src/main/catalogue/runs-repository';
import { importFolders, rescanCatalogue } from '../../../src/main/import';
import { sha256Of } from '../../../src/main/images';
import { noisyJpeg } from '../../fixtures/images';

let dir: string;
let catalogue: Catalogue;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-beliefs-'));
  catalogue = Catalogue.openWorkspace(join(dir, 'workspace'));
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

const opts = (paths: string[]) => ({ paths, valFraction: 0.2, testFraction: 0, seed: 42 });
const all = () => catalogue.images.list({ classId: null, split: null, filter: 'all' });
const byPath = (path: string) => catalogue.images.fileByPath(path);
const classCounts = () => catalogue.status().classes.map((c) => [c.name, c.count]);
const manifest = () => catalogue.repo(RunsRepository).trainingImages();
const labelName = (imageId: number): string | null => {
  const { classId } = catalogue.labels.get(imageId);
  return classId === null ? null : (catalogue.classes.get(classId)?.name ?? null);
};

async function write(path: string, seed: number): Promise<Buffer> {
  mkdirSync(join(path, '..'), { recursive: true });
  const bytes = await noisyJpeg(16, 16, seed);
  writeFileSync(path, bytes);
  return bytes;
}

describe('corrupt clears when the file reads again (issue 13, item 3)', () => {
  it('a truncated file, rescanned, then restored is ok again and back in training', async () => {
    const path = join(dir, 'pets', 'cats', 'a.jpg');
    const bytes = await write(path, 1);
    await write(join(dir, 'pets', 'cats', 'b.jpg'), 2);
    await importFolders(catalogue, opts([join(dir, 'pets')]));
    expect(manifest()).toHaveLength(2);

    truncateSync(path, 100);
    const broken = await rescanCatalogue(catalogue);
    expect(broken).toMatchObject({ changed: 1, recovered: 0 });
    expect(catalogue.status().corrupt).toBe(1);
    expect(manifest()).toHaveLength(1);

    writeFileSync(path, bytes);
    const back = await rescanCatalogue(catalogue);
    expect(back).toMatchObject({ recovered: 1, edited: [] });
    expect(catalogue.status()).toMatchObject({ corrupt: 0, images: 2 });
    expect(all().map((i) => i.status)).toEqual(['ok', 'ok']);
    expect(manifest()).toHaveLength(2);
    expect(labelName(byPath(path)?.imageId as number)).toBe('cats');
  });

  it('a re-import re-reads a corrupt file even when its size and mtime match what was recorded', async () => {
    const root = join(dir, 'pets');
    const path = join(root, 'cats', 'a.jpg');
    const bytes = await write(path, 3);
    await importFolders(catalogue, opts([root]));
    const when = statSync(path).mtime;
    // Same size, same mtime, scrambled bytes (a sync tool that keeps mtimes, say).
    writeFileSync(path, Buffer.alloc(bytes.length, 0x41));
    utimesSync(path, when, when);
    await rescanCatalogue(catalogue);
    expect(catalogue.status().corrupt).toBe(1);

    writeFileSync(path, bytes);
    utimesSync(path, when, when);
    const again = await importFolders(catalogue, opts([root]));
    expect(again).toMatchObject({ recovered: 1, added: 0, skipped: [] });
    expect(catalogue.status().corrupt).toBe(0);
    expect(manifest()).toHaveLength(1);
  });

  it('a corrupt copy that is deleted leaves its image ok (the other copy still reads)', async () => {
    const root = join(dir, 'pets');
    const keep = join(root, 'cats', 'a.jpg');
    const copy = join(root, 'cats', 'a-copy.jpg');
    await write(keep, 4);
    copyFileSync(keep, copy);
    await importFolders(catalogue, opts([root]));
    truncateSync(copy, 50);
    const broken = await importFolders(catalogue, opts([root]));
    expect(broken.skipped.map((s) => s.path)).toEqual([copy]);
    expect(catalogue.status().corrupt).toBe(1);
    unlinkSync(copy);
    await rescanCatalogue(catalogue);
    expect(catalogue.status()).toMatchObject({ corrupt: 0, missing: 0, images: 1 });
    expect(all()[0]?.status).toBe('ok');
  });
});

describe('a file edited in place keeps its label (issue 13, item 4)', () => {
  it('rescan: the new content inherits the manual label and split; the old image counts nowhere', async () => {
    const root = join(dir, 'unsorted');
    const path = join(root, 'x.jpg');
    const oldBytes = await write(path, 10);
    await write(join(root, 'y.jpg'), 11);
    await importFolders(catalogue, opts([root]));
    const old = byPath(path)?.imageId as number;
    const cat = catalogue.classes.add('cat');
    catalogue.labels.set({ imageId: old, classId: cat, source: 'manual', confidence: null });
    catalogue.images.setSplit(old, 'train', 'manual');

    const newBytes = await write(path, 12);
    const result = await rescanCatalogue(catalogue);
    expect(result.edited).toEqual([{ path, className: 'cat' }]);
    const now = byPath(path)?.imageId as number;
    expect(now).not.toBe(old);
    expect(catalogue.labels.get(now)).toMatchObject({ classId: cat, source: 'manual' });
    expect(catalogue.images.placement(now)).toEqual({ split: 'train', splitSource: 'manual' });
    // The old content is at no path any more: not missing, not counted, not trained on.
    expect(catalogue.images.bySha(sha256Of(oldBytes))).toBeUndefined();
    expect(catalogue.status()).toMatchObject({ images: 2, missing: 0, unlabelled: 1 });
    expect(classCounts()).toEqual([['cat', 1]]);
    expect(manifest().map((m) => m.sha256)).toEqual([sha256Of(newBytes)]);
  });

  it('re-import: an edited file in a class folder keeps its folder label and says so', async () => {
    const root = join(dir, 'pets');
    const path = join(root, 'cats', 'a.jpg');
    const oldBytes = await write(path, 20);
    await write(join(root, 'dogs', 'b.jpg'), 21);
    await importFolders(catalogue, opts([root]));
    const split = catalogue.images.placement(byPath(path)?.imageId as number);

    await write(path, 22);
    const result = await importFolders(catalogue, opts([root]));
    expect(result).toMatchObject({ added: 1, unchanged: 1, newPaths: 0, edited: [{ path, className: 'cats' }] });
    const now = byPath(path)?.imageId as number;
    expect(labelName(now)).toBe('cats');
    expect(catalogue.images.placement(now)).toEqual(split);
    expect(catalogue.images.bySha(sha256Of(oldBytes))).toBeUndefined();
    expect(catalogue.status()).toMatchObject({ images: 2, missing: 0, unlabelled: 0 });
    expect(classCounts()).toEqual([
      ['cats', 1],
      ['dogs', 1],
    ]);
    expect(manifest()).toHaveLength(2);
  });

  it('an edited copy of a duplicate moves to the new content; the picture stays at its other path', async () => {
    const root = join(dir, 'pets');
    const a = join(root, 'cats', 'a.jpg');
    const copy = join(root, 'cats', 'copy.jpg');
    await write(a, 30);
    copyFileSync(a, copy);
    await importFolders(catalogue, opts([root]));
    const old = byPath(a)?.imageId as number;
    await write(copy, 31);
    const result = await rescanCatalogue(catalogue);
    expect(result.edited).toEqual([{ path: copy, className: 'cats' }]);
    expect(byPath(a)?.imageId).toBe(old);
    expect(catalogue.status()).toMatchObject({ images: 2, duplicates: 0, missing: 0 });
    expect(classCounts()).toEqual([['cats', 2]]);
  });
});

describe('one picture under two class folders is a label conflict (issue 13, item 5)', () => {
  it('is named in the report and the status, takes no label, and a manual label resolves it', async () => {
    const root = join(dir, 'pets');
    const inCats = join(root, 'cats', 'same.jpg');
    const inDogs = join(root, 'dogs', 'same.jpg');
    await write(inCats, 40);
    mkdirSync(join(root, 'dogs'));
    copyFileSync(inCats, inDogs);
    await write(join(root, 'cats', 'c.jpg'), 41);
    const result = await importFolders(catalogue, opts([root]));
    const id = byPath(inCats)?.imageId as number;
    expect(result.conflicts).toEqual([{ imageId: id, classes: ['cats', 'dogs'], paths: [inCats, inDogs] }]);
    expect(catalogue.labels.get(id).classId).toBeNull();
    expect(catalogue.status()).toMatchObject({ conflicts: 1, unlabelled: 1, duplicates: 1 });
    expect(classCounts()).toEqual([
      ['cats', 1],
      ['dogs', 0],
    ]);
    expect(catalogue.images.list({ classId: null, split: null, filter: 'conflict' }).map((i) => [i.id, i.conflict])).toEqual([[id, true]]);
    expect(catalogue.images.detail(id)?.folderClassIds).toHaveLength(2);
    expect(manifest()).toHaveLength(1);

    // A re-import leaves it unresolved and says so again.
    expect((await importFolders(catalogue, opts([root]))).conflicts.map((c) => c.imageId)).toEqual([id]);

    const dogs = catalogue.classes.idByName('dogs') as number;
    catalogue.labels.set({ imageId: id, classId: dogs, source: 'manual', confidence: null });
    expect(catalogue.status().conflicts).toBe(0);
    expect(catalogue.images.list({ classId: null, split: null, filter: 'conflict' })).toEqual([]);
    expect((await importFolders(catalogue, opts([root]))).conflicts).toEqual([]);
    expect(labelName(id)).toBe('dogs');
    // Undoing the label brings the conflict back.
    catalogue.labels.set({ imageId: id, classId: null, source: 'manual', confidence: null });
    expect(catalogue.status().conflicts).toBe(1);
  });

  it('does not depend on which folder came first: a copy found later clears the folder label', async () => {
    const root = join(dir, 'pets');
    const inCats = join(root, 'cats', 'same.jpg');
    await write(inCats, 50);
    await importFolders(catalogue, opts([root]));
    const id = byPath(inCats)?.imageId as number;
    expect(labelName(id)).toBe('cats');
    mkdirSync(join(root, 'dogs'));
    copyFileSync(inCats, join(root, 'dogs', 'same.jpg'));
    const result = await importFolders(catalogue, opts([root]));
    expect(result.conflicts.map((c) => c.classes)).toEqual([['cats', 'dogs']]);
    expect(labelName(id)).toBeNull();
    expect(catalogue.status().conflicts).toBe(1);

    // Resolved on disk: the copy removed, a rescan gives the picture its one folder's label back.
    unlinkSync(join(root, 'dogs', 'same.jpg'));
    const rescan = await rescanCatalogue(catalogue);
    expect(rescan.conflicts).toEqual([]);
    expect(labelName(id)).toBe('cats');
    expect(catalogue.status().conflicts).toBe(0);
  });

  it('a file moved to another class folder is no conflict: its folder label follows it', async () => {
    const root = join(dir, 'pets');
    await write(join(root, 'cats', 'a.jpg'), 60);
    await write(join(root, 'dogs', 'b.jpg'), 61);
    await importFolders(catalogue, opts([root]));
    const id = byPath(join(root, 'cats', 'a.jpg'))?.imageId as number;
    renameSync(join(root, 'cats', 'a.jpg'), join(root, 'dogs', 'a.jpg'));
    const result = await importFolders(catalogue, opts([root]));
    expect(result).toMatchObject({ conflicts: [], missing: 1, duplicates: 1 });
    expect(labelName(id)).toBe('dogs');
    expect(classCounts()).toEqual([
      ['cats', 0],
      ['dogs', 2],
    ]);
  });

  it('a label the user gave stands: a copy in another folder is no conflict', async () => {
    const root = join(dir, 'pets');
    const inCats = join(root, 'cats', 'same.jpg');
    await write(inCats, 70);
    await importFolders(catalogue, opts([root]));
    const id = byPath(inCats)?.imageId as number;
    const cats = catalogue.classes.idByName('cats') as number;
    catalogue.labels.set({ imageId: id, classId: cats, source: 'manual', confidence: null });
    mkdirSync(join(root, 'dogs'));
    copyFileSync(inCats, join(root, 'dogs', 'same.jpg'));
    const result = await importFolders(catalogue, opts([root]));
    expect(result.conflicts).toEqual([]);
    expect(catalogue.labels.get(id)).toMatchObject({ classId: cats, source: 'manual' });
  });

  it('an edited file whose new content is already under another class folder becomes a conflict', async () => {
    const root = join(dir, 'pets');
    const inCats = join(root, 'cats', 'a.jpg');
    await write(inCats, 80);
    await write(join(root, 'dogs', 'b.jpg'), 81);
    await importFolders(catalogue, opts([root]));
    copyFileSync(join(root, 'dogs', 'b.jpg'), inCats);
    const result = await rescanCatalogue(catalogue);
    const id = byPath(inCats)?.imageId as number;
    expect(result.conflicts.map((c) => [c.imageId, c.classes])).toEqual([[id, ['cats', 'dogs']]]);
    expect(labelName(id)).toBeNull();
    expect(catalogue.status()).toMatchObject({ images: 1, conflicts: 1 });
  });
});

describe('class folders', () => {
  it('a folder holding only files that do not decode adds no class', async () => {
    const root = join(dir, 'pets');
    await write(join(root, 'cats', 'a.jpg'), 90);
    mkdirSync(join(root, 'junk'));
    writeFileSync(join(root, 'junk', 'x.jpg'), 'not a picture');
    const result = await importFolders(catalogue, opts([root]));
    expect(result.skipped).toHaveLength(1);
    expect(catalogue.classes.list().map((c) => c.name)).toEqual(['cats']);
  });
});
