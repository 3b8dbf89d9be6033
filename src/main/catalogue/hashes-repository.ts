import type { Split } from '@shared/contract';
import type { Db } from './db';

export interface HashedImageRow {
  imageId: number;
  sha256: string;
  split: Split;
  path: string | null;
  phash: string | null;
  dhash: string | null;
}

/** Perceptual hashes keyed by content hash, so a moved or re-imported file is never hashed twice. */
export class HashesRepository {
  readonly #images;
  readonly #put;
  readonly #clearLeaks;
  readonly #addLeak;

  constructor(private readonly db: Db) {
    this.#images = db.prepare(
      `SELECT i.id AS imageId, i.sha256, i.split, h.phash, h.dhash,
         (SELECT path FROM image_files WHERE image_id = i.id AND missing = 0 ORDER BY id LIMIT 1) AS path
       FROM images i LEFT JOIN image_hashes h ON h.sha256 = i.sha256
       WHERE i.status = 'ok' ORDER BY i.id`,
    );
    this.#put = db.prepare('INSERT OR REPLACE INTO image_hashes (sha256, phash, dhash) VALUES (?, ?, ?)');
    this.#clearLeaks = db.prepare('DELETE FROM image_leaks');
    this.#addLeak = db.prepare('INSERT OR IGNORE INTO image_leaks (image_id) VALUES (?)');
  }

  /** Replaces the set of images flagged as leaks (the Library filter reads it). */
  setLeaks(imageIds: Iterable<number>): void {
    this.db.transaction(() => {
      this.#clearLeaks.run();
      for (const id of imageIds) this.#addLeak.run(id);
    })();
  }

  images(): HashedImageRow[] {
    return this.#images.all() as HashedImageRow[];
  }

  putMany(rows: readonly { sha256: string; phash: string; dhash: string }[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.#put.run(r.sha256, r.phash, r.dhash);
    })();
  }
}
