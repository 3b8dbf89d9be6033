import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../src/main/catalogue';
import { importFolders, readCsvColumns } from '../../../src/main/import';
import { noisyJpeg } from '../../fixtures/images';

let dir: string;
let catalogue: Catalogue;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-csv-labels-'));
  catalogue = Catalogue.openWorkspace(join(dir, 'workspace'));
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

const opts = (paths: string[], labels?: { file: string; pathColumn?: string; labelColumn?: string; splitColumn?: string | null }) => ({
  paths,
  valFraction: 0.2,
  testFraction: 0,
  seed: 42,
  ...(labels ? { labels } : {}),
});

/** A flat Kaggle-style folder: images, one in a sub-folder, and a labels.csv beside them. */
async function writeFlatSet(root: string): Promise<void> {
  mkdirSync(join(root, 'sub'), { recursive: true });
  const files = ['cat1.jpg', 'cat2.JPG', 'a, b.jpg', 'sub/nested.jpg', 'dog3.jpeg', 'conflict.jpg', 'empty.jpg', 'extra.jpg'];
  for (const [i, name] of files.entries()) writeFileSync(join(root, name), await noisyJpeg(16, 16, 100 + i));
}

/** What a spreadsheet on Windows writes: a BOM, CRLF, quoted commas, a column we do not use. */
const MESSY_CSV =
  '\uFEFFFile Name,Breed,Subset,notes\r\n' +
  'cat1.jpg,cat,train,\r\n' +
  'CAT2.jpg,cat,val,"a note, with a comma"\r\n' +
  '"a, b.jpg",dog,test,\r\n' +
  'sub/nested.jpg,dog,train,\r\n' +
  'dog3,dog,,\r\n' +
  'cat1.jpg,cat,train,\r\n' +
  'conflict.jpg,cat,,\r\n' +
  'conflict.jpg,dog,,\r\n' +
  'missing.jpg,cat,,\r\n' +
  'empty.jpg,,,\r\n' +
  'extra.jpg,dog,holdout,\r\n';

const labelOf = (name: string): { className: string | null; split: string; source: string | null } => {
  const item = catalogue.images.list({ classId: null, split: null, filter: 'all' }).find((i) => i.name === name);
  if (!item) throw new Error(`${name} was not imported`);
  const className = item.classId === null ? null : (catalogue.classes.get(item.classId)?.name ?? null);
  return { className, split: item.split, source: item.labelSource };
};

describe('labels from a CSV file (issue 17, item 4)', () => {
  it('imports a flat folder with a messy labels.csv: matches by name and path, reports every odd row, never fails', async () => {
    const root = join(dir, 'pets');
    await writeFlatSet(root);
    writeFileSync(join(root, 'labels.csv'), MESSY_CSV);
    const result = await importFolders(catalogue, opts([root], { file: join(root, 'labels.csv') }));

    expect(result.added).toBe(8);
    // The labels file is not reported as a skipped image.
    expect(result.skipped).toEqual([]);
    const report = result.labels;
    expect(report).toMatchObject({
      encoding: 'utf-8',
      delimiter: ',',
      columns: { path: 'File Name', label: 'Breed', split: 'Subset' },
      ignoredColumns: ['notes'],
      rows: 11,
      labelled: 6,
      // empty.jpg: its only row has no label.
      unlisted: 1,
    });
    expect(report?.problemCounts).toMatchObject({
      duplicate: 1,
      conflict: 1,
      missing_file: 1,
      empty_label: 1,
      unknown_split: 1,
      ambiguous: 0,
      column: 0,
    });
    const byKind = (kind: string) => report?.problems.filter((p) => p.kind === kind).map((p) => [p.line, p.message]);
    expect(byKind('missing_file')).toEqual([[10, 'missing.jpg: no such file among the imported images']]);
    expect(byKind('duplicate')).toEqual([[7, 'cat1.jpg is listed again (first on line 2)']]);
    expect(byKind('conflict')).toEqual([
      [9, 'conflict.jpg is labelled "cat" and "dog" (first on line 8); it stays unlabelled until you label it'],
    ]);
    expect(byKind('unknown_split')?.[0]?.[1]).toMatch(/split "holdout" is not train/);

    // Case-insensitive extension (CAT2.jpg → cat2.JPG), a quoted comma, a relative path, an id without extension.
    expect(labelOf('cat1.jpg')).toEqual({ className: 'cat', split: 'train', source: 'folder' });
    expect(labelOf('cat2.JPG')).toEqual({ className: 'cat', split: 'validation', source: 'folder' });
    expect(labelOf('a, b.jpg')).toEqual({ className: 'dog', split: 'test', source: 'folder' });
    // The CSV speaks for the file instead of its folder ("sub" is no class).
    expect(labelOf('nested.jpg')).toMatchObject({ className: 'dog', split: 'train' });
    expect(labelOf('dog3.jpeg')).toMatchObject({ className: 'dog', source: 'folder' });
    expect(labelOf('extra.jpg')).toMatchObject({ className: 'dog' });
    expect(labelOf('empty.jpg').className).toBeNull();
    // Rows that disagree: unlabelled and listed with the other label conflicts.
    expect(labelOf('conflict.jpg').className).toBeNull();
    expect(result.conflicts).toEqual([{ imageId: expect.any(Number), classes: ['cat', 'dog'], paths: [join(root, 'conflict.jpg')] }]);
    expect(
      catalogue.classes
        .list()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['cat', 'dog']);
  });

  it('labels a folder imported before and moves the splits it names, leaving labels and splits the user set', async () => {
    const root = join(dir, 'flat');
    mkdirSync(root);
    for (const [i, name] of ['a.png', 'b.jpg', 'c.jpg'].entries()) writeFileSync(join(root, name), await noisyJpeg(12, 12, i + 1));
    const plain = await importFolders(catalogue, opts([root]));
    expect(plain.added).toBe(3);
    const id = (name: string): number =>
      catalogue.images.list({ classId: null, split: null, filter: 'all' }).find((i) => i.name === name)?.id as number;
    const pets = catalogue.classes.ensure('pets');
    catalogue.labels.set({ imageId: id('c.jpg'), classId: pets, source: 'manual', confidence: null });
    catalogue.images.setSplit(id('c.jpg'), 'train', 'manual');

    // Semicolons and a header in other words; the CSV lives elsewhere and names paths from the folder above.
    const csv = join(dir, 'meta', 'truth.csv');
    mkdirSync(join(dir, 'meta'));
    writeFileSync(csv, 'image;category;split\nflat/a.png;x;test\nflat/b.jpg;y;test\nflat/c.jpg;x;test\n');
    const again = await importFolders(catalogue, opts([root], { file: csv }));
    expect(again.unchanged).toBe(3);
    expect(again.labels).toMatchObject({ delimiter: ';', labelled: 3, split: 2, rows: 3 });
    expect(labelOf('a.png')).toEqual({ className: 'x', split: 'test', source: 'folder' });
    // splitColumn null: the split column is not used even though it is there.
    writeFileSync(csv, 'image;category;split\nflat/a.png;z;train\n');
    expect((await importFolders(catalogue, opts([root], { file: csv, splitColumn: null }))).labels).toMatchObject({
      columns: { split: null },
      split: 0,
      ignoredColumns: ['split'],
    });
    expect(labelOf('a.png')).toEqual({ className: 'z', split: 'test', source: 'folder' });
    expect(labelOf('b.jpg')).toEqual({ className: 'y', split: 'test', source: 'folder' });
    expect(labelOf('c.jpg')).toEqual({ className: 'pets', split: 'train', source: 'manual' });
  });

  it('refuses a CSV without a label column before importing anything, naming the file and its columns', async () => {
    const root = join(dir, 'pets');
    await writeFlatSet(root);
    writeFileSync(join(root, 'labels.csv'), 'file,width,height\ncat1.jpg,16,16\n');
    await expect(importFolders(catalogue, opts([root], { file: join(root, 'labels.csv') }))).rejects.toThrow(
      `cannot read labels from ${join(root, 'labels.csv')}: no column holds the labels (its columns are "file", "width", "height"); name the label column`,
    );
    await expect(importFolders(catalogue, opts([root], { file: join(root, 'labels.csv'), labelColumn: 'klass' }))).rejects.toThrow(
      /there is no column "klass"/,
    );
    expect(catalogue.images.list({ classId: null, split: null, filter: 'all' })).toEqual([]);
    // Named, the columns are used; a named split column that is not there is reported, not fatal.
    const result = await importFolders(
      catalogue,
      opts([root], { file: join(root, 'labels.csv'), labelColumn: 'width', splitColumn: 'fold' }),
    );
    expect(result.labels?.problems.find((p) => p.kind === 'column')?.message).toMatch(/there is no column "fold" for the splits/);
    expect(labelOf('cat1.jpg').className).toBe('16');
  });

  it('reads the columns for the import dialog, with the ones an import would pick', async () => {
    const file = join(dir, 'labels.csv');
    writeFileSync(file, 'id,has_cactus\n1.jpg,0\n2.jpg,1\n');
    expect(await readCsvColumns({ file })).toEqual({
      file,
      encoding: 'utf-8',
      delimiter: ',',
      columns: ['id', 'has_cactus'],
      rows: 2,
      detected: { path: 'id', label: 'has_cactus', split: null },
      error: null,
      notes: [],
    });
    // With a column named that is not there: what an import would say, before it starts.
    expect(await readCsvColumns({ file, labelColumn: 'breed', splitColumn: 'fold' })).toMatchObject({
      detected: { path: 'id', label: 'has_cactus', split: null },
      error: null,
      notes: [
        'there is no column "breed" for the labels (the columns are "id", "has_cactus")',
        'there is no column "fold" for the splits (the columns are "id", "has_cactus")',
      ],
    });
    writeFileSync(file, 'id,w,h\n1.jpg,0,0\n');
    expect((await readCsvColumns({ file })).error).toBe(
      `cannot read labels from ${file}: no column holds the labels (its columns are "id", "w", "h"); name the label column`,
    );
    await expect(readCsvColumns({ file: join(dir, 'nope.csv') })).rejects.toThrow(`cannot read labels from ${join(dir, 'nope.csv')}: `);
    writeFileSync(file, '');
    await expect(readCsvColumns({ file })).rejects.toThrow(/the file is empty/);
  });

  it('reads a file without a header row: the first row is data, columns are numbered and found by their values', async () => {
    const root = join(dir, 'bare');
    await writeFlatSet(root);
    writeFileSync(join(root, 'labels.csv'), 'cat1.jpg,train,cat\ndog3.jpeg,test,dog\n\nsub/nested.jpg,val,dog\n');
    expect(await readCsvColumns({ file: join(root, 'labels.csv') })).toMatchObject({
      columns: ['column 1', 'column 2', 'column 3'],
      rows: 3,
      detected: { path: 'column 1', label: 'column 3', split: 'column 2' },
      error: null,
    });
    const result = await importFolders(catalogue, opts([root], { file: join(root, 'labels.csv') }));
    expect(result.labels).toMatchObject({ rows: 3, labelled: 3, columns: { path: 'column 1', label: 'column 3', split: 'column 2' } });
    expect(labelOf('cat1.jpg')).toMatchObject({ className: 'cat', split: 'train' });
    expect(labelOf('dog3.jpeg')).toMatchObject({ className: 'dog', split: 'test' });
    expect(labelOf('nested.jpg')).toMatchObject({ className: 'dog', split: 'validation' });
    // Columns named by number, as a headerless file's only names: label from the second column this time.
    writeFileSync(join(root, 'labels.csv'), 'extra.jpg,dog,x\n');
    expect(await readCsvColumns({ file: join(root, 'labels.csv'), labelColumn: '3' })).toMatchObject({
      detected: { path: 'column 1', label: 'column 3', split: null },
    });
    expect(await readCsvColumns({ file: join(root, 'labels.csv'), labelColumn: '4' })).toMatchObject({
      notes: ['there is no column "4" for the labels (the columns are "column 1", "column 2", "column 3")'],
    });
  });

  it('a header named like a column is still a header; a header that names a picture is not', async () => {
    const file = join(dir, 'labels.csv');
    writeFileSync(file, 'image,label\n1.jpg,a\n');
    expect(await readCsvColumns({ file })).toMatchObject({ columns: ['image', 'label'], rows: 1 });
    writeFileSync(file, '1.jpg,a\n2.png,b\n');
    expect(await readCsvColumns({ file })).toMatchObject({
      columns: ['column 1', 'column 2'],
      rows: 2,
      detected: { path: 'column 1', label: 'column 2', split: null },
    });
  });

  it('reports a name that matches files in two folders, and matches it by its relative path', async () => {
    const root = join(dir, 'two');
    for (const sub of ['x', 'y']) {
      mkdirSync(join(root, sub), { recursive: true });
      writeFileSync(join(root, sub, 'same-name.jpg'), await noisyJpeg(12, 12, sub === 'x' ? 7 : 8));
    }
    writeFileSync(join(root, 'labels.csv'), 'filename,label\nsame-name.jpg,a\ny\\same-name.jpg,b\n');
    const result = await importFolders(catalogue, opts([root], { file: join(root, 'labels.csv') }));
    expect(result.labels?.problems.map((p) => p.kind)).toEqual(['ambiguous']);
    expect(result.labels?.problems[0]?.message).toMatch(
      /^same-name\.jpg matches 2 files .*; give its path relative to the imported folder$/,
    );
    const names = catalogue.images
      .list({ classId: null, split: null, filter: 'all' })
      .map((i) => [
        basename(catalogue.images.detail(i.id)?.paths[0] ?? ''),
        catalogue.images.detail(i.id)?.paths[0]?.includes('/y/'),
        i.classId === null ? null : catalogue.classes.get(i.classId)?.name,
      ]);
    // x/ keeps its folder class; y/ takes the CSV's label.
    expect(names.sort()).toEqual([
      ['same-name.jpg', false, 'x'],
      ['same-name.jpg', true, 'b'],
    ]);
  });
});
