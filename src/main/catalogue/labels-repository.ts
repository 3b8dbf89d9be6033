import type { LabelEntry, LabelSource } from '@shared/contract';
import type { Db } from './db';

export class LabelsRepository {
  readonly #get;
  readonly #upsert;
  readonly #insertIfAbsent;
  readonly #clear;
  readonly #move;

  constructor(db: Db) {
    this.#get = db.prepare('SELECT class_id AS classId, source, confidence FROM labels WHERE image_id = ?');
    this.#upsert = db.prepare(
      `INSERT INTO labels (image_id, class_id, source, confidence, updated_at)
       VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       ON CONFLICT (image_id) DO UPDATE SET class_id = excluded.class_id, source = excluded.source,
         confidence = excluded.confidence, updated_at = excluded.updated_at`,
    );
    this.#insertIfAbsent = db.prepare('INSERT OR IGNORE INTO labels (image_id, class_id, source) VALUES (?, ?, ?)');
    this.#clear = db.prepare('DELETE FROM labels WHERE image_id = ?');
    this.#move = db.prepare(`UPDATE labels SET class_id = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE class_id = ?`);
  }

  /** The label of an image as an entry that, applied again, restores it exactly (classId null = none). */
  get(imageId: number): LabelEntry {
    const row = this.#get.get(imageId) as { classId: number; source: LabelSource; confidence: number | null } | undefined;
    return row ? { imageId, ...row } : { imageId, classId: null, source: 'manual', confidence: null };
  }

  set(entry: LabelEntry): void {
    if (entry.classId === null) this.#clear.run(entry.imageId);
    else this.#upsert.run(entry.imageId, entry.classId, entry.source, entry.confidence);
  }

  /** Folder labels never overwrite a label the user (or a model) already gave. */
  setIfAbsent(imageId: number, classId: number, source: LabelSource): void {
    this.#insertIfAbsent.run(imageId, classId, source);
  }

  moveClass(fromClassId: number, toClassId: number): void {
    this.#move.run(toClassId, fromClassId);
  }
}
