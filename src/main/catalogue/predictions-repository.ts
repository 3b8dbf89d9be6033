import type { Split } from '@shared/contract';
import type { Db } from './db';

export interface PredictionRow {
  imageId: number;
  classId: number | null;
  confidence: number;
  /** {class name: p} */
  probabilities: Record<string, number>;
}

/** An image a model may pre-label: no label yet, or only a predicted one. */
export interface UnlabelledImageRow {
  imageId: number;
  sha256: string;
  path: string;
  split: Split;
}

export interface ReviewRow {
  imageId: number;
  classId: number;
  confidence: number | null;
  split: Split;
}

/** Model predictions per (run, image), and the queries pre-labelling and its review queue need. */
export class PredictionsRepository {
  readonly #upsert;
  readonly #forRun;
  readonly #unlabelled;
  readonly #review;
  readonly #labelOf;

  constructor(private readonly db: Db) {
    this.#upsert = db.prepare(
      `INSERT INTO predictions (run_id, image_id, class_id, confidence, probabilities) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, image_id) DO UPDATE SET class_id = excluded.class_id, confidence = excluded.confidence,
         probabilities = excluded.probabilities, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    this.#forRun = db.prepare(
      'SELECT image_id AS imageId, class_id AS classId, confidence, probabilities FROM predictions WHERE run_id = ? ORDER BY image_id',
    );
    this.#unlabelled = db.prepare(
      `SELECT i.id AS imageId, i.sha256, f.path, i.split
       FROM images i
       LEFT JOIN labels l ON l.image_id = i.id
       JOIN image_files f ON f.id = (SELECT min(id) FROM image_files WHERE image_id = i.id AND missing = 0)
       WHERE i.status = 'ok' AND (l.image_id IS NULL OR l.source = 'predicted')
       ORDER BY i.id`,
    );
    this.#review = db.prepare(
      `SELECT l.image_id AS imageId, l.class_id AS classId, l.confidence, i.split
       FROM labels l JOIN images i ON i.id = l.image_id
       WHERE l.source = 'predicted' AND i.status = 'ok'
       ORDER BY l.confidence IS NULL DESC, l.confidence ASC, l.image_id ASC
       LIMIT ?`,
    );
    this.#labelOf = db.prepare('SELECT c.name FROM labels l JOIN classes c ON c.id = l.class_id WHERE l.image_id = ?');
  }

  save(runId: string, rows: readonly PredictionRow[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.#upsert.run(runId, r.imageId, r.classId, r.confidence, JSON.stringify(r.probabilities));
    })();
  }

  forRun(runId: string): PredictionRow[] {
    return (this.#forRun.all(runId) as { imageId: number; classId: number | null; confidence: number; probabilities: string }[]).map(
      (r) => ({
        ...r,
        probabilities: JSON.parse(r.probabilities) as Record<string, number>,
      }),
    );
  }

  /** Readable images with no label or a predicted one, with one existing path each. */
  unlabelled(): UnlabelledImageRow[] {
    return this.#unlabelled.all() as UnlabelledImageRow[];
  }

  /** Predicted labels, least confident first. */
  reviewQueue(limit: number): ReviewRow[] {
    return this.#review.all(limit) as ReviewRow[];
  }

  /** The class name an image is labelled with now (any source), or null. */
  currentClassName(imageId: number): string | null {
    return (this.#labelOf.get(imageId) as { name: string } | undefined)?.name ?? null;
  }
}
