import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** Defaults to every migration shipped; tests pass fewer to build an old catalogue. */
  migrations?: Migration[];
  /** Called with the backup file's path when an existing catalogue is about to migrate. */
  onBackup?: (path: string) => void;
}

/**
 * Electron loads native modules for its own ABI, not Node's: `npm start` (scripts/start.mjs) points
 * this variable at an Electron build of better-sqlite3, so the same node_modules serves tests and the window.
 */
function nativeBindingOption(): Database.Options {
  const binding = process.env.LDS_BETTER_SQLITE3_BINDING;
  return binding ? { nativeBinding: binding } : {};
}

/**
 * Opens (creating if needed) a catalogue file and brings its schema up to date. WAL lets the UI read
 * while an import writes; busy_timeout makes a second process (the CLI next to the window) wait
 * rather than fail with SQLITE_BUSY.
 */
export function openDb(file: string, options: OpenDbOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const existed = file !== ':memory:' && existsSync(file);
  let db: Db;
  try {
    db = new Database(file, nativeBindingOption());
  } catch (error) {
    throw new Error(`cannot open catalogue ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, file, existed, migrations, options.onBackup);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: Db): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: Db, file: string, existed: boolean, migrations: Migration[], onBackup?: (path: string) => void): void {
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new Error(`catalogue ${file} has schema version ${current}, newer than this app knows (${latest}): update Little Data Studio`);
  }
  if (current === latest) return;
  if (existed && current > 0) {
    const backup = `${file}.v${current}-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    // VACUUM INTO writes a consistent single-file copy even with a WAL alongside.
    db.prepare('VACUUM INTO ?').run(backup);
    onBackup?.(backup);
  }
  const record = db.prepare('INSERT INTO schema_version (version, name) VALUES (?, ?)');
  for (const m of migrations.slice(current)) {
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name);
      })();
    } catch (error) {
      throw new Error(`catalogue ${file}: migration ${String(m.version).padStart(3, '0')}-${m.name} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
