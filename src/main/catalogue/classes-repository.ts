import type { ClassInfo } from '@shared/contract';
import type { Db } from './db';

/** Distinct, readable on light and dark backgrounds; cycled by position. */
export const CLASS_PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324', '#469990', '#808000'];

interface ClassRow {
  id: number;
  name: string;
  colour: string;
  hotkey: string | null;
  position: number;
  count: number;
}

export class ClassesRepository {
  readonly #list;
  readonly #byName;
  readonly #insert;
  readonly #rename;
  readonly #recolour;
  readonly #setPosition;
  readonly #delete;
  readonly #maxPosition;

  constructor(db: Db) {
    this.#list = db.prepare(
      `SELECT c.id, c.name, c.colour, c.hotkey, c.position, count(l.image_id) AS count
       FROM classes c LEFT JOIN labels l ON l.class_id = c.id
       GROUP BY c.id ORDER BY c.position, c.id`,
    );
    this.#byName = db.prepare('SELECT id FROM classes WHERE name = ?');
    this.#insert = db.prepare('INSERT INTO classes (name, colour, position) VALUES (?, ?, ?)');
    this.#rename = db.prepare('UPDATE classes SET name = ? WHERE id = ?');
    this.#recolour = db.prepare('UPDATE classes SET colour = ? WHERE id = ?');
    this.#setPosition = db.prepare('UPDATE classes SET position = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM classes WHERE id = ?');
    this.#maxPosition = db.prepare('SELECT coalesce(max(position), -1) AS p, count(*) AS n FROM classes');
  }

  /** In display order; classes 1–9 get the digit keys unless a hotkey was stored. */
  list(): ClassInfo[] {
    return (this.#list.all() as ClassRow[]).map((row, index) => ({
      ...row,
      hotkey: row.hotkey ?? (index < 9 ? String(index + 1) : null),
    }));
  }

  get(id: number): ClassInfo | undefined {
    return this.list().find((c) => c.id === id);
  }

  idByName(name: string): number | undefined {
    return (this.#byName.get(name) as { id: number } | undefined)?.id;
  }

  add(name: string, colour?: string): number {
    const { p, n } = this.#maxPosition.get() as { p: number; n: number };
    return Number(this.#insert.run(name, colour ?? CLASS_PALETTE[n % CLASS_PALETTE.length], p + 1).lastInsertRowid);
  }

  /** The id of the class with this name, created at the end of the list when new (folder import). */
  ensure(name: string): number {
    return this.idByName(name) ?? this.add(name);
  }

  rename(id: number, name: string): void {
    this.#rename.run(name, id);
  }

  recolour(id: number, colour: string): void {
    this.#recolour.run(colour, id);
  }

  /** Ids listed come first in that order; any not listed keep their relative order after them. */
  reorder(ids: number[]): void {
    const listed = new Set(ids);
    const rest = this.list()
      .map((c) => c.id)
      .filter((id) => !listed.has(id));
    [...ids, ...rest].forEach((id, position) => this.#setPosition.run(position, id));
  }

  delete(id: number): void {
    this.#delete.run(id);
  }
}
