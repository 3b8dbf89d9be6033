import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../src/main/catalogue';
import { importFolders } from '../../../src/main/import';

const DATA = resolve(__dirname, '../../../../shared/data/cats_and_dogs_filtered');
const options = { paths: [DATA], valFraction: 0.2, testFraction: 0, seed: 42 };

let dir: string;
let catalogue: Catalogue;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-catsdogs-'));
  catalogue = Catalogue.openWorkspace(dir);
});
afterAll(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(DATA))('importing cats_and_dogs_filtered', () => {
  it('gives 3000 images, 2 classes, train 2000 / validation 1000', async () => {
    const started = performance.now();
    const result = await importFolders(catalogue, options);
    const seconds = (performance.now() - started) / 1000;
    console.log(`imported 3000 images in ${seconds.toFixed(1)} s`);
    expect(result).toMatchObject({ scanned: 3000, added: 3000, duplicates: 0, newPaths: 3000, skipped: [], cancelled: false });
    const status = catalogue.status();
    expect(status.images).toBe(3000);
    expect(status.splits).toEqual({ train: 2000, validation: 1000, test: 0, unassigned: 0 });
    expect(status.classes).toEqual([
      { name: 'cats', count: 1500, splits: { train: 1000, validation: 500 } },
      { name: 'dogs', count: 1500, splits: { train: 1000, validation: 500 } },
    ]);
    expect(status).toMatchObject({ unlabelled: 0, missing: 0, corrupt: 0, damaged: 0, duplicates: 0 });
  });

  it('changes nothing when imported again', async () => {
    const before = catalogue.db.prepare('SELECT count(*) AS n, total(id) AS s FROM image_files').get();
    const statusBefore = catalogue.status();
    const result = await importFolders(catalogue, options);
    expect(result).toMatchObject({ scanned: 3000, added: 0, unchanged: 3000, duplicates: 0, newPaths: 0, skipped: [] });
    expect(catalogue.db.prepare('SELECT count(*) AS n, total(id) AS s FROM image_files').get()).toEqual(before);
    expect(catalogue.status()).toEqual(statusBefore);
  });

  it('lists all 3000 tiles in one fast query', () => {
    const started = performance.now();
    const items = catalogue.images.list({ classId: null, split: null, filter: 'all' });
    const ms = performance.now() - started;
    expect(items).toHaveLength(3000);
    expect(ms).toBeLessThan(500);
    expect(items[0]).toMatchObject({ name: 'cat.0.jpg', split: 'train', labelSource: 'folder', duplicate: false });
  });
});
