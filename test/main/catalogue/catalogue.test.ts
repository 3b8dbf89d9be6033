import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue, LATEST_SCHEMA_VERSION, MIGRATIONS, parseMigrations, schemaVersion } from '../../../src/main/catalogue';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-catalogue-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const image = (sha256: string) => ({
  sha256,
  width: 10,
  height: 8,
  format: 'jpeg',
  bytes: 100,
  split: 'train' as const,
  splitSource: 'folder' as const,
});

describe('catalogue database', () => {
  it('creates every table of the data model with WAL and foreign keys on', () => {
    const cat = Catalogue.openWorkspace(dir);
    try {
      const tables = (cat.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
        (t) => t.name,
      );
      for (const t of [
        'images',
        'image_files',
        'classes',
        'labels',
        'augment_presets',
        'backbones',
        'features',
        'runs',
        'run_epochs',
        'predictions',
        'schema_version',
      ]) {
        expect(tables).toContain(t);
      }
      expect(cat.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(cat.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(schemaVersion(cat.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(() => cat.db.prepare('INSERT INTO image_files (image_id, path, size, mtime_ms) VALUES (999, ?, 1, 1)').run('/x')).toThrow(
        /FOREIGN KEY/,
      );
    } finally {
      cat.close();
    }
  });

  it('migrates an old catalogue after backing it up, keeping its data', () => {
    const file = join(dir, 'catalogue.db');
    const extra = { version: MIGRATIONS.length + 1, name: 'test-extra', sql: 'ALTER TABLE classes ADD COLUMN note TEXT;' };
    const old = Catalogue.open(file);
    const imageId = old.images.insert(image('a'.repeat(64)));
    old.images.addFile(imageId, '/data/a.jpg', 100, 1);
    const classId = old.classes.add('cats');
    old.labels.set({ imageId, classId, source: 'manual', confidence: null });
    old.close();

    const backups: string[] = [];
    const migrated = Catalogue.open(file, { migrations: [...MIGRATIONS, extra], onBackup: (p) => backups.push(p) });
    try {
      expect(schemaVersion(migrated.db)).toBe(extra.version);
      expect(backups).toHaveLength(1);
      expect(existsSync(backups[0] as string)).toBe(true);
      expect(readdirSync(dir).some((f) => f.endsWith('.bak'))).toBe(true);
      expect(migrated.labels.get(imageId)).toMatchObject({ classId, source: 'manual' });
      expect(migrated.images.primaryPath(imageId)).toBe('/data/a.jpg');
      expect(migrated.db.prepare('SELECT note FROM classes').get()).toEqual({ note: null });
    } finally {
      migrated.close();
    }
    // The backup is the old version, untouched.
    const backup = Catalogue.open(backups[0] as string, { migrations: MIGRATIONS });
    try {
      expect(schemaVersion(backup.db)).toBe(MIGRATIONS.length);
      expect(backup.images.count()).toBe(1);
    } finally {
      backup.close();
    }
  });

  it('refuses a catalogue newer than the app, and a failing migration leaves the old version', () => {
    const file = join(dir, 'catalogue.db');
    Catalogue.open(file, { migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'x', sql: 'SELECT 1;' }] }).close();
    expect(() => Catalogue.open(file)).toThrow(/newer than this app/);

    const file2 = join(dir, 'two.db');
    Catalogue.open(file2).close();
    expect(() =>
      Catalogue.open(file2, {
        migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'bad', sql: 'CREATE TABLE images (x);' }],
      }),
    ).toThrow(/migration 00\d-bad failed/);
    const again = Catalogue.open(file2);
    expect(schemaVersion(again.db)).toBe(MIGRATIONS.length);
    again.close();
  });

  it('rejects badly numbered migration files', () => {
    expect(() => parseMigrations({ './migrations/001-a.sql': '', './migrations/003-c.sql': '' })).toThrow(/without gaps/);
    expect(() => parseMigrations({ './migrations/one.sql': '' })).toThrow(/NNN-name/);
  });
});

describe('repositories', () => {
  it('lists classes with counts and hotkeys, moves labels, reorders', () => {
    const cat = Catalogue.openWorkspace(dir);
    try {
      const a = cat.classes.add('cats');
      const b = cat.classes.ensure('dogs');
      expect(cat.classes.ensure('dogs')).toBe(b);
      const ids = ['1', '2', '3'].map((c) => cat.images.insert(image(c.repeat(64))));
      cat.labels.set({ imageId: ids[0] as number, classId: a, source: 'manual', confidence: null });
      cat.labels.set({ imageId: ids[1] as number, classId: b, source: 'folder', confidence: null });
      cat.labels.setIfAbsent(ids[1] as number, a, 'folder');
      expect(cat.classes.list().map((c) => [c.name, c.count, c.hotkey])).toEqual([
        ['cats', 1, '1'],
        ['dogs', 1, '2'],
      ]);
      cat.classes.reorder([b]);
      expect(cat.classes.list().map((c) => c.name)).toEqual(['dogs', 'cats']);
      cat.labels.moveClass(a, b);
      cat.classes.delete(a);
      expect(cat.classes.list()).toMatchObject([{ name: 'dogs', count: 2 }]);
      expect(cat.images.list({ classId: 'unlabelled', split: null, filter: 'all' }).map((i) => i.id)).toEqual([ids[2]]);
      const status = cat.status();
      expect(status).toMatchObject({
        images: 3,
        unlabelled: 1,
        splits: { train: 3 },
        classes: [{ name: 'dogs', count: 2, splits: { train: 2 } }],
      });
      // A failing transaction leaves nothing behind.
      expect(() =>
        cat.transaction(() => {
          cat.classes.add('birds');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(cat.classes.idByName('birds')).toBeUndefined();
    } finally {
      cat.close();
    }
  });
});
