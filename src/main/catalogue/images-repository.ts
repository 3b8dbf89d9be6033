import type { ImageDetail, ImageItem, ImageStatus, LibraryFilter, Split } from '@shared/contract';
import { displayPath } from '../images/file-path';
import type { Db } from './db';

export type SplitSource = 'folder' | 'seeded' | 'manual';

export interface NewImage {
  sha256: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
  split: Split;
  splitSource: SplitSource;
  /** The decoder's warning for a picture that decodes only by patching over bad data; null when clean. */
  damage?: string | null;
}

export interface ImageFileRow {
  id: number;
  imageId: number;
  path: string;
  size: number;
  mtimeMs: number;
  missing: boolean;
  /** Present, but its bytes no longer decode. */
  unreadable: boolean;
  /** The class folder the path was found under at its last import. */
  folderClassId: number | null;
}

type RawFileRow = Omit<ImageFileRow, 'missing' | 'unreadable'> & { missing: number; unreadable: number };
const FILE_COLUMNS = 'id, image_id AS imageId, path, size, mtime_ms AS mtimeMs, missing, unreadable, folder_class_id AS folderClassId';
const toFileRow = (r: RawFileRow): ImageFileRow => ({ ...r, missing: r.missing === 1, unreadable: r.unreadable === 1 });

/**
 * Images whose present paths sit under two or more class folders and that the user has not labelled:
 * label conflicts. Missing paths do not count (a moved file is not a second opinion).
 */
export const CONFLICTED_IMAGES_SQL = `
  SELECT f.image_id FROM image_files f
  WHERE f.missing = 0 AND f.folder_class_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.image_id = f.image_id AND l.source = 'manual')
  GROUP BY f.image_id HAVING count(DISTINCT f.folder_class_id) > 1`;

export interface ListQuery {
  classId: number | 'unlabelled' | null;
  split: Split | null;
  filter: LibraryFilter;
}

interface ItemRow {
  id: number;
  path: string | null;
  width: number;
  height: number;
  split: Split;
  status: ImageStatus;
  damage: string | null;
  classId: number | null;
  labelSource: ImageItem['labelSource'];
  confidence: number | null;
  fileCount: number;
  claims: number;
}

/** Shown with U+FFFD where the file name is not UTF-8 (paths are stored escaped, see images/file-path). */
const baseName = (path: string): string => displayPath(path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1));

/** Images (one per content hash) and the files they live in. */
export class ImagesRepository {
  readonly #bySha;
  readonly #insert;
  readonly #fileByPath;
  readonly #fileByIdStmt;
  readonly #insertFile;
  readonly #updateFile;
  readonly #filesOf;
  readonly #allFiles;
  readonly #setStatus;
  readonly #setDamage;
  readonly #setSplit;
  readonly #getSplit;
  readonly #placement;
  readonly #detail;
  readonly #count;
  readonly #delete;
  readonly #claims;
  readonly #conflicted;

  constructor(private readonly db: Db) {
    this.#bySha = db.prepare('SELECT id, split, status FROM images WHERE sha256 = ?');
    this.#insert = db.prepare(
      `INSERT INTO images (sha256, width, height, format, bytes, split, split_source, damage)
       VALUES (@sha256, @width, @height, @format, @bytes, @split, @splitSource, @damage)`,
    );
    this.#fileByPath = db.prepare(`SELECT ${FILE_COLUMNS} FROM image_files WHERE path = ?`);
    this.#fileByIdStmt = db.prepare(`SELECT ${FILE_COLUMNS} FROM image_files WHERE id = ?`);
    this.#insertFile = db.prepare('INSERT INTO image_files (image_id, path, size, mtime_ms, folder_class_id) VALUES (?, ?, ?, ?, ?)');
    this.#updateFile = db.prepare(
      'UPDATE image_files SET image_id = ?, size = ?, mtime_ms = ?, missing = ?, unreadable = ?, folder_class_id = ? WHERE id = ?',
    );
    this.#filesOf = db.prepare(`SELECT ${FILE_COLUMNS} FROM image_files WHERE image_id = ? ORDER BY missing, unreadable, id`);
    this.#allFiles = db.prepare(`SELECT ${FILE_COLUMNS} FROM image_files ORDER BY id`);
    this.#setStatus = db.prepare('UPDATE images SET status = ? WHERE id = ?');
    this.#setDamage = db.prepare('UPDATE images SET damage = ? WHERE id = ?');
    this.#setSplit = db.prepare('UPDATE images SET split = ?, split_source = ? WHERE id = ?');
    this.#getSplit = db.prepare('SELECT split FROM images WHERE id = ?');
    this.#placement = db.prepare('SELECT split, split_source AS splitSource FROM images WHERE id = ?');
    this.#detail = db.prepare('SELECT id, sha256, width, height, format, bytes, split, status, damage FROM images WHERE id = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM images');
    this.#delete = db.prepare('DELETE FROM images WHERE id = ? AND NOT EXISTS (SELECT 1 FROM image_files WHERE image_id = ?)');
    this.#claims = db.prepare(
      `SELECT DISTINCT folder_class_id AS classId FROM image_files
       WHERE image_id = ? AND missing = 0 AND folder_class_id IS NOT NULL ORDER BY folder_class_id`,
    );
    this.#conflicted = db.prepare(`${CONFLICTED_IMAGES_SQL} ORDER BY f.image_id`);
  }

  bySha(sha256: string): { id: number; split: Split; status: ImageStatus } | undefined {
    return this.#bySha.get(sha256) as { id: number; split: Split; status: ImageStatus } | undefined;
  }

  insert(image: NewImage): number {
    const { sha256, width, height, format, bytes, split, splitSource, damage = null } = image;
    return Number(this.#insert.run({ sha256, width, height, format, bytes, split, splitSource, damage }).lastInsertRowid);
  }

  fileByPath(path: string): ImageFileRow | undefined {
    const row = this.#fileByPath.get(path) as RawFileRow | undefined;
    return row && toFileRow(row);
  }

  addFile(imageId: number, path: string, size: number, mtimeMs: number, folderClassId: number | null = null): number {
    return Number(this.#insertFile.run(imageId, path, size, mtimeMs, folderClassId).lastInsertRowid);
  }

  /** Fields left out keep their stored value. */
  updateFile(
    file: Pick<ImageFileRow, 'id' | 'imageId' | 'size' | 'mtimeMs' | 'missing'> &
      Partial<Pick<ImageFileRow, 'unreadable' | 'folderClassId'>>,
  ): void {
    const stored = file.unreadable === undefined || file.folderClassId === undefined ? (this.#fileById(file.id) ?? null) : null;
    const unreadable = file.unreadable ?? stored?.unreadable ?? false;
    const folderClassId = file.folderClassId !== undefined ? file.folderClassId : (stored?.folderClassId ?? null);
    this.#updateFile.run(file.imageId, file.size, file.mtimeMs, file.missing ? 1 : 0, unreadable ? 1 : 0, folderClassId, file.id);
  }

  #fileById(id: number): ImageFileRow | undefined {
    const row = this.#fileByIdStmt.get(id) as RawFileRow | undefined;
    return row && toFileRow(row);
  }

  files(imageId: number): ImageFileRow[] {
    return (this.#filesOf.all(imageId) as RawFileRow[]).map(toFileRow);
  }

  allFiles(): ImageFileRow[] {
    return (this.#allFiles.all() as RawFileRow[]).map(toFileRow);
  }

  /** The classes whose folders hold a present copy of this picture, by id. */
  folderClaims(imageId: number): number[] {
    return (this.#claims.all(imageId) as Array<{ classId: number }>).map((r) => r.classId);
  }

  /** Ids of the images in a label conflict (see CONFLICTED_IMAGES_SQL). */
  conflicted(): number[] {
    return (this.#conflicted.all() as Array<{ image_id: number }>).map((r) => r.image_id);
  }

  /** Removes an image that no path holds any more (its label, predictions and leaks go with it). */
  deleteIfOrphan(imageId: number): boolean {
    return this.#delete.run(imageId, imageId).changes > 0;
  }

  /** What it takes to render an image: its hash (cache key) and a path that was present at the last scan. */
  source(imageId: number): { sha256: string; path: string | null } | null {
    const row = this.#detail.get(imageId) as { sha256: string } | undefined;
    return row ? { sha256: row.sha256, path: this.primaryPath(imageId) } : null;
  }

  /** The path to read an image from: its first file that was present and readable at the last scan. */
  primaryPath(imageId: number): string | null {
    const files = this.files(imageId);
    return (files.find((f) => !f.missing && !f.unreadable) ?? files.find((f) => !f.missing))?.path ?? null;
  }

  setStatus(imageId: number, status: ImageStatus): void {
    this.#setStatus.run(status, imageId);
  }

  /** Records what the last decode of this content said (null: clean); damage belongs to the bytes, not a path. */
  setDamage(imageId: number, damage: string | null): void {
    this.#setDamage.run(damage, imageId);
  }

  /** missing when no file is present; corrupt while a present file no longer decodes; ok otherwise. */
  refreshStatus(imageId: number): ImageStatus {
    const present = this.files(imageId).filter((f) => !f.missing);
    const status: ImageStatus = present.length === 0 ? 'missing' : present.some((f) => f.unreadable) ? 'corrupt' : 'ok';
    this.setStatus(imageId, status);
    return status;
  }

  /** The split and where it came from, for content that takes over from this image at a path. */
  placement(imageId: number): { split: Split; splitSource: SplitSource } | undefined {
    return this.#placement.get(imageId) as { split: Split; splitSource: SplitSource } | undefined;
  }

  split(imageId: number): Split | undefined {
    return (this.#getSplit.get(imageId) as { split: Split } | undefined)?.split;
  }

  setSplit(imageId: number, split: Split, source: SplitSource): void {
    this.#setSplit.run(split, source, imageId);
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  detail(id: number): ImageDetail | null {
    const row = this.#detail.get(id) as
      | {
          id: number;
          sha256: string;
          width: number;
          height: number;
          format: string;
          bytes: number;
          split: Split;
          status: ImageStatus;
          damage: string | null;
        }
      | undefined;
    if (!row) return null;
    const item = this.list({ classId: null, split: null, filter: 'all' }, id)[0];
    const paths = this.files(id).map((f) => displayPath(f.path));
    return {
      ...(item as ImageItem),
      sha256: row.sha256,
      format: row.format,
      bytes: row.bytes,
      paths,
      damage: row.damage,
      folderClassIds: this.folderClaims(id),
    };
  }

  /** Every grid tile matching the query, in one statement (3000+ rows must come back in milliseconds). */
  list(query: ListQuery, onlyId?: number): ImageItem[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (onlyId !== undefined) {
      where.push('i.id = @onlyId');
      params.onlyId = onlyId;
    }
    if (query.classId === 'unlabelled') where.push('l.class_id IS NULL');
    else if (query.classId !== null) {
      where.push('l.class_id = @classId');
      params.classId = query.classId;
    }
    if (query.split !== null) {
      where.push('i.split = @split');
      params.split = query.split;
    }
    switch (query.filter) {
      case 'unlabelled':
        where.push('l.class_id IS NULL');
        break;
      case 'predicted':
        where.push("l.source = 'predicted'");
        break;
      case 'missing':
        where.push("i.status = 'missing'");
        break;
      case 'corrupt':
        where.push("i.status = 'corrupt'");
        break;
      case 'damaged':
        where.push('i.damage IS NOT NULL');
        break;
      case 'duplicate':
        where.push('f.n > 1');
        break;
      case 'leak':
        where.push('i.id IN (SELECT image_id FROM image_leaks)');
        break;
      case 'conflict':
        where.push("f.claims > 1 AND l.source IS NOT 'manual'");
        break;
      case 'all':
        break;
    }
    const sql = `
      SELECT i.id, f.path, i.width, i.height, i.split, i.status, i.damage,
             l.class_id AS classId, l.source AS labelSource, l.confidence, coalesce(f.n, 0) AS fileCount, coalesce(f.claims, 0) AS claims
      FROM images i
      LEFT JOIN labels l ON l.image_id = i.id
      LEFT JOIN (
        SELECT image_id, min(path) AS path, count(*) AS n,
               count(DISTINCT CASE WHEN missing = 0 THEN folder_class_id END) AS claims
        FROM image_files GROUP BY image_id
      ) f ON f.image_id = i.id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.id`;
    return (this.db.prepare(sql).all(params) as ItemRow[]).map((r) => ({
      id: r.id,
      name: r.path ? baseName(r.path) : '',
      width: r.width,
      height: r.height,
      split: r.split,
      status: r.status,
      damaged: r.damage !== null,
      classId: r.classId,
      labelSource: r.labelSource,
      confidence: r.confidence,
      duplicate: r.fileCount > 1,
      conflict: r.claims > 1 && r.labelSource !== 'manual',
    }));
  }
}
