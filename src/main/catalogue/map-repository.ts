import type { Db } from './db';

export interface MapImageRow {
  imageId: number;
  sha256: string;
  path: string;
}

/** The images the dataset map lays out: decodable, with a file present at the last scan; labelled or not. */
export class MapRepository {
  readonly #images;
  readonly #ids;

  constructor(db: Db) {
    this.#images = db.prepare(
      `SELECT i.id AS imageId, i.sha256, f.path
       FROM images i
       JOIN image_files f ON f.id = (SELECT min(id) FROM image_files WHERE image_id = i.id AND missing = 0)
       WHERE i.status = 'ok'
       ORDER BY i.id`,
    );
    this.#ids = db
      .prepare(
        `SELECT id FROM images WHERE status = 'ok' AND EXISTS (SELECT 1 FROM image_files WHERE image_id = images.id AND missing = 0)`,
      )
      .pluck();
  }

  images(): MapImageRow[] {
    return this.#images.all() as MapImageRow[];
  }

  /** Ids of the images a fresh layout would hold. */
  ids(): Set<number> {
    return new Set(this.#ids.all() as number[]);
  }
}
