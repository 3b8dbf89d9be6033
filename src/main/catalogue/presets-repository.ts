import type { Db } from './db';

export interface PresetRow {
  name: string;
  /** JSON text as stored; the augment module validates it. */
  params: string;
}

/** User augmentation presets (augment_presets). Built-ins are not rows: they live in src/main/augment. */
export class PresetsRepository {
  readonly #list;
  readonly #get;
  readonly #upsert;
  readonly #rename;
  readonly #delete;

  constructor(db: Db) {
    this.#list = db.prepare('SELECT name, params FROM augment_presets ORDER BY name COLLATE NOCASE, name');
    this.#get = db.prepare('SELECT name, params FROM augment_presets WHERE name = ?');
    this.#upsert = db.prepare(
      `INSERT INTO augment_presets (name, params) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET params = excluded.params, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    this.#rename = db.prepare(`UPDATE augment_presets SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?`);
    this.#delete = db.prepare('DELETE FROM augment_presets WHERE name = ?');
  }

  list(): PresetRow[] {
    return this.#list.all() as PresetRow[];
  }

  get(name: string): PresetRow | undefined {
    return this.#get.get(name) as PresetRow | undefined;
  }

  save(name: string, paramsJson: string): void {
    this.#upsert.run(name, paramsJson);
  }

  /** False when there is no preset of that name. */
  rename(from: string, to: string): boolean {
    return this.#rename.run(to, from).changes > 0;
  }

  delete(name: string): boolean {
    return this.#delete.run(name).changes > 0;
  }
}
