/** One numbered schema step, from src/main/catalogue/migrations/NNN-name.sql. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Vite inlines every .sql file at build time (electron-vite and vitest alike), so adding a migration
// is adding a file: no registry to edit, and nothing to copy next to the built bundle.
const files = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true });

export function parseMigrations(sources: Record<string, string>): Migration[] {
  const migrations = Object.entries(sources).map(([file, sql]) => {
    const match = /(\d{3})-([\w-]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file name must look like NNN-name.sql: ${file}`);
    return { version: Number(match[1]), name: match[2] ?? '', sql };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 001, 002, ... without gaps; found ${String(m.version).padStart(3, '0')}-${m.name}`);
  });
  return migrations;
}

export const MIGRATIONS: Migration[] = parseMigrations(files);
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
