import type { Db } from './db';

/** A backbone row; preprocessing stays JSON text here, validated by training code that owns its shape. */
export interface BackboneRow {
  id: string;
  name: string;
  source: string;
  modelDir: string;
  weightsSha256: string;
  inputSize: number;
  featureLayer: string;
  topBlockStart: string | null;
  preprocessing: string;
  addedAt: string;
}

/** Backbones added to this project (`lds backbones add`); the bundled default is not stored. */
export class BackbonesRepository {
  readonly #upsert;
  readonly #list;
  readonly #get;
  readonly #delete;

  constructor(db: Db) {
    this.#upsert = db.prepare(
      `INSERT INTO backbones (id, name, source, model_dir, weights_sha256, input_size, feature_layer, top_block_start, preprocessing)
       VALUES (@id, @name, @source, @modelDir, @weightsSha256, @inputSize, @featureLayer, @topBlockStart, @preprocessing)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source, model_dir = excluded.model_dir,
         weights_sha256 = excluded.weights_sha256, input_size = excluded.input_size, feature_layer = excluded.feature_layer,
         top_block_start = excluded.top_block_start, preprocessing = excluded.preprocessing`,
    );
    const columns = `id, name, source, coalesce(model_dir, source) AS modelDir, weights_sha256 AS weightsSha256, input_size AS inputSize,
      feature_layer AS featureLayer, top_block_start AS topBlockStart, preprocessing, added_at AS addedAt`;
    this.#list = db.prepare(`SELECT ${columns} FROM backbones ORDER BY added_at, id`);
    this.#get = db.prepare(`SELECT ${columns} FROM backbones WHERE id = ?`);
    this.#delete = db.prepare('DELETE FROM backbones WHERE id = ?');
  }

  upsert(row: Omit<BackboneRow, 'addedAt'>): void {
    this.#upsert.run(row);
  }

  list(): BackboneRow[] {
    return this.#list.all() as BackboneRow[];
  }

  get(id: string): BackboneRow | undefined {
    return this.#get.get(id) as BackboneRow | undefined;
  }

  remove(id: string): boolean {
    return this.#delete.run(id).changes > 0;
  }
}
