import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue, MIGRATIONS, openDb } from '../../../src/main/catalogue';
import { importFolders } from '../../../src/main/import';
import { sha256Of } from '../../../src/main/images';
import { noisyJpeg } from '../../fixtures/images';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-migrate-005-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BEFORE_005 = MIGRATIONS.filter((m) => m.version < 5);

describe('migration 005 (label conflicts, unreadable paths)', () => {
  it('keeps what an old catalogue knew, and a re-import then finds the conflict it had hidden', async () => {
    const root = join(dir, 'pets');
    for (const cls of ['cats', 'dogs']) mkdirSync(join(root, cls), { recursive: true });
    const bytes = await noisyJpeg(16, 16, 1);
    writeFileSync(join(root, 'cats', 'same.jpg'), bytes);
    copyFileSync(join(root, 'cats', 'same.jpg'), join(root, 'dogs', 'same.jpg'));
    const broken = join(root, 'dogs', 'broken.jpg');
    writeFileSync(broken, 'not a jpeg');

    // What the old import wrote: one image, both paths, labelled by whichever folder came first.
    const file = join(dir, 'ws', 'catalogue.db');
    const old = openDb(file, { migrations: BEFORE_005 });
    const insertImage = old.prepare("INSERT INTO images (sha256, width, height, format, bytes, status) VALUES (?, 16, 16, 'jpeg', ?, ?)");
    const insertFile = old.prepare('INSERT INTO image_files (image_id, path, size, mtime_ms) VALUES (?, ?, ?, ?)');
    const addFile = (imageId: number, path: string) => insertFile.run(imageId, path, statSync(path).size, statSync(path).mtimeMs);
    const id = Number(insertImage.run(sha256Of(bytes), bytes.length, 'ok').lastInsertRowid);
    for (const cls of ['cats', 'dogs']) addFile(id, join(root, cls, 'same.jpg'));
    const cats = Number(old.prepare("INSERT INTO classes (name, colour, position) VALUES ('cats', '#e6194b', 0)").run().lastInsertRowid);
    old.prepare("INSERT INTO classes (name, colour, position) VALUES ('dogs', '#3cb44b', 1)").run();
    old.prepare("INSERT INTO labels (image_id, class_id, source) VALUES (?, ?, 'folder')").run(id, cats);
    const corrupt = Number(insertImage.run('c'.repeat(64), 10, 'corrupt').lastInsertRowid);
    addFile(corrupt, broken);
    old.close();

    const catalogue = Catalogue.open(file);
    try {
      expect(catalogue.images.files(id).map((f) => f.folderClassId)).toEqual([cats, cats]);
      expect(catalogue.images.files(corrupt).map((f) => f.unreadable)).toEqual([true]);
      expect(catalogue.status()).toMatchObject({ conflicts: 0, corrupt: 1 });

      const result = await importFolders(catalogue, { paths: [root], valFraction: 0.2, testFraction: 0, seed: 42 });
      expect(result.conflicts.map((c) => [c.imageId, c.classes])).toEqual([[id, ['cats', 'dogs']]]);
      expect(catalogue.labels.get(id).classId).toBeNull();
      // The broken path was read again, still does not decode, and is named.
      expect(result.skipped.map((s) => s.path)).toEqual([broken]);
      expect(catalogue.status()).toMatchObject({ conflicts: 1, corrupt: 1 });
      expect(catalogue.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      catalogue.close();
    }
  });
});
