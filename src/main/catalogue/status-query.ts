import type { StatusSummary } from '@shared/contract';
import type { Db } from './db';
import { CONFLICTED_IMAGES_SQL } from './images-repository';

/** The counts behind `lds status` and the top bar, in a handful of aggregate queries. */
export function statusSummary(db: Db): StatusSummary {
  const images = (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  const splits = { train: 0, validation: 0, test: 0, unassigned: 0 };
  for (const row of db.prepare('SELECT split, count(*) AS n FROM images GROUP BY split').all() as Array<{
    split: keyof typeof splits;
    n: number;
  }>) {
    splits[row.split] = row.n;
  }
  const perClass = db
    .prepare(
      `SELECT c.id, c.name, i.split, count(i.id) AS n
       FROM classes c LEFT JOIN labels l ON l.class_id = c.id LEFT JOIN images i ON i.id = l.image_id
       GROUP BY c.id, i.split ORDER BY c.position, c.id`,
    )
    .all() as Array<{ id: number; name: string; split: string | null; n: number }>;
  const classes = new Map<number, StatusSummary['classes'][number]>();
  for (const row of perClass) {
    const entry = classes.get(row.id) ?? { name: row.name, count: 0, splits: {} };
    if (row.split !== null) {
      entry.splits[row.split] = row.n;
      entry.count += row.n;
    }
    classes.set(row.id, entry);
  }
  const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  return {
    images,
    classes: [...classes.values()],
    splits,
    unlabelled: one('SELECT count(*) AS n FROM images i WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.image_id = i.id)'),
    predicted: one("SELECT count(*) AS n FROM labels WHERE source = 'predicted'"),
    missing: one("SELECT count(*) AS n FROM images WHERE status = 'missing'"),
    corrupt: one("SELECT count(*) AS n FROM images WHERE status = 'corrupt'"),
    damaged: one('SELECT count(*) AS n FROM images WHERE damage IS NOT NULL'),
    duplicates: one('SELECT count(*) AS n FROM (SELECT image_id FROM image_files GROUP BY image_id HAVING count(*) > 1)'),
    conflicts: one(`SELECT count(*) AS n FROM (${CONFLICTED_IMAGES_SQL})`),
  };
}
