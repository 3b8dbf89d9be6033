import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue, MIGRATIONS, schemaVersion } from '../../../src/main/catalogue';
import { RunsRepository } from '../../../src/main/catalogue/runs-repository';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-migration-006-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const V006 = MIGRATIONS.findIndex((m) => m.name === 'interrupted-runs');
const all = (cat: Catalogue, sql: string): unknown[] => cat.db.prepare(sql).all();
const schemaOf = (cat: Catalogue, name: string): string =>
  (cat.db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql;

describe('migration 006: interrupted runs', () => {
  it('rebuilds runs with the new status, keeping every run, epoch, prediction and foreign key', () => {
    expect(V006).toBe(5);
    const file = join(dir, 'catalogue.db');
    const old = Catalogue.open(file, { migrations: MIGRATIONS.slice(0, V006) });
    const image = old.images.insert({
      sha256: 'a'.repeat(64),
      width: 10,
      height: 8,
      format: 'jpeg',
      bytes: 100,
      split: 'train',
      splitSource: 'folder',
    });
    const cls = old.classes.add('cats');
    const insert = old.db.prepare(
      `INSERT INTO runs (id, mode, parent_run, config, status, error, metrics) VALUES (?, ?, ?, '{"seed":1}', ?, ?, ?)`,
    );
    // Inserted in an order where a rowid tie-break and the parent link both matter.
    insert.run('r-parent', 'bottleneck', null, 'succeeded', null, '{"valAccuracy":0.9}');
    insert.run('r-child', 'finetune', 'r-parent', 'failed', 'interrupted: old wording', null);
    insert.run('r-other', 'scratch', null, 'running', null, null);
    const epoch = old.db.prepare(
      'INSERT INTO run_epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, 0.5, 0.8, 0.6, 0.7, 1.5)',
    );
    for (const run of ['r-parent', 'r-child']) for (const e of [1, 2]) epoch.run(run, e);
    old.db
      .prepare(
        `INSERT INTO predictions (run_id, image_id, class_id, confidence, probabilities) VALUES ('r-parent', ?, ?, 0.9, '{"cats":0.9}')`,
      )
      .run(image, cls);
    const before = {
      runs: all(old, 'SELECT rowid, * FROM runs ORDER BY rowid'),
      epochs: all(old, 'SELECT * FROM run_epochs ORDER BY run_id, epoch'),
      predictions: all(old, 'SELECT * FROM predictions'),
      epochsSql: schemaOf(old, 'run_epochs'),
      predictionsSql: schemaOf(old, 'predictions'),
    };
    old.close();

    const cat = Catalogue.open(file);
    try {
      expect(schemaVersion(cat.db)).toBeGreaterThan(V006);
      expect(all(cat, 'SELECT rowid, * FROM runs ORDER BY rowid')).toEqual(before.runs);
      expect(all(cat, 'SELECT * FROM run_epochs ORDER BY run_id, epoch')).toEqual(before.epochs);
      expect(all(cat, 'SELECT * FROM predictions')).toEqual(before.predictions);
      expect(schemaOf(cat, 'run_epochs')).toBe(before.epochsSql);
      expect(schemaOf(cat, 'predictions')).toBe(before.predictionsSql);
      expect(schemaOf(cat, 'runs')).toMatch(/REFERENCES "?runs"? \(id\)/);
      expect(schemaOf(cat, 'predictions_image')).toMatch(/CREATE INDEX/);
      expect(all(cat, "SELECT name FROM sqlite_master WHERE name LIKE '%runs_new%' OR sql LIKE '%runs_new%'")).toEqual([]);
      expect(cat.db.pragma('foreign_key_check')).toEqual([]);
      expect(cat.db.pragma('integrity_check', { simple: true })).toBe('ok');

      cat
        .repo(RunsRepository)
        .finish('r-other', 'interrupted', { error: 'interrupted: the app or command that ran it exited before it finished' });
      expect(cat.repo(RunsRepository).get('r-other')?.status).toBe('interrupted');
      expect(() => cat.db.prepare("UPDATE runs SET status = 'bogus' WHERE id = 'r-other'").run()).toThrow(/CHECK/);
      // The foreign keys still act: a deleted run takes its epochs and predictions, its child forgets it.
      cat.db.prepare("DELETE FROM runs WHERE id = 'r-parent'").run();
      expect(all(cat, "SELECT run_id FROM run_epochs WHERE run_id = 'r-parent'")).toEqual([]);
      expect(all(cat, 'SELECT * FROM predictions')).toEqual([]);
      expect(cat.repo(RunsRepository).get('r-child')?.parentRun).toBeNull();
      expect(() => cat.db.prepare("INSERT INTO run_epochs (run_id, epoch) VALUES ('nope', 1)").run()).toThrow(/FOREIGN KEY/);
    } finally {
      cat.close();
    }
  });
});
