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
}

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
}

/** Shown with U+FFFD where the file name is not UTF-8 (paths are stored escaped, see images/file-path). */
const baseName = (path: string): string => displayPath(path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1));

/** Images (one per content hash) and the files they live in. */
export class ImagesRepository {
  readonly #bySha;
  readonly #insert;
  readonly #fileByPath;
  readonly #insertFile;
  readonly #updateFile;
  readonly #filesOf;
  readonly #allFiles;
  readonly #setStatus;
  readonly #setDamage;
  readonly #setSplit;
  readonly #getSplit;
  readonly #detail;
  readonly #count;

  constructor(private readonly db: Db) {
    this.#bySha = db.prepare('SELECT id, split, status FROM images WHERE sha256 = ?');
    this.#insert = db.prepare(
      `INSERT INTO images (sha256, width, height, format, bytes, split, split_source, damage)
       VALUES (@sha256, @width, @height, @format, @bytes, @split, @splitSource, @damage)`,
    );
    this.#fileByPath = db.prepare(
      'SELECT id, image_id AS imageId, path, size, mtime_ms AS mtimeMs, missing FROM image_files WHERE path = ?',
    );
    this.#insertFile = db.prepare('INSERT INTO image_files (image_id, path, size, mtime_ms) VALUES (?, ?, ?, ?)');
    this.#updateFile = db.prepare('UPDATE image_files SET image_id = ?, size = ?, mtime_ms = ?, missing = ? WHERE id = ?');
    this.#filesOf = db.prepare(
      'SELECT id, image_id AS imageId, path, size, mtime_ms AS mtimeMs, missing FROM image_files WHERE image_id = ? ORDER BY missing, id',
    );
    this.#allFiles = db.prepare(
      'SELECT id, image_id AS imageId, path, size, mtime_ms AS mtimeMs, missing FROM image_files ORDER BY id',
    );
    this.#setStatus = db.prepare('UPDATE images SET status = ? WHERE id = ?');
    this.#setDamage = db.prepare('UPDATE images SET damage = ? WHERE id = ?');
    this.#setSplit = db.prepare('UPDATE images SET split = ?, split_source = ? WHERE id = ?');
    this.#getSplit = db.prepare('SELECT split FROM images WHERE id = ?');
    this.#detail = db.prepare('SELECT id, sha256, width, height, format, bytes, split, status, damage FROM images WHERE id = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM images');
  }

  bySha(sha256: string): { id: number; split: Split; status: ImageStatus } | undefined {
    return this.#bySha.get(sha256) as { id: number; split: Split; status: ImageStatus } | undefined;
  }

  insert(image: NewImage): number {
    const { sha256, width, height, format, bytes, split, splitSource, damage = null } = image;
    return Number(this.#insert.run({ sha256, width, height, format, bytes, split, splitSource, damage }).lastInsertRowid);
  }

  fileByPath(path: string): ImageFileRow | undefined {
    const row = this.#fileByPath.get(path) as (Omit<ImageFileRow, 'missing'> & { missing: number }) | undefined;
    return row && { ...row, missing: row.missing === 1 };
  }

  addFile(imageId: number, path: string, size: number, mtimeMs: number): number {
    return Number(this.#insertFile.run(imageId, path, size, mtimeMs).lastInsertRowid);
  }

  updateFile(file: Pick<ImageFileRow, 'id' | 'imageId' | 'size' | 'mtimeMs' | 'missing'>): void {
    this.#updateFile.run(file.imageId, file.size, file.mtimeMs, file.missing ? 1 : 0, file.id);
  }

  files(imageId: number): ImageFileRow[] {
    return (this.#filesOf.all(imageId) as Array<Omit<ImageFileRow, 'missing'> & { missing: number }>).map((r) => ({ ...r, missing: r.missing === 1 }));
  }

  allFiles(): ImageFileRow[] {
    return (this.#allFiles.all() as Array<Omit<ImageFileRow, 'missing'> & { missing: number }>).map((r) => ({ ...r, missing: r.missing === 1 }));
  }

  /** What it takes to render an image: its hash (cache key) and a path that was present at the last scan. */
  source(imageId: number): { sha256: string; path: string | null } | null {
    const row = this.#detail.get(imageId) as { sha256: string } | undefined;
    return row ? { sha256: row.sha256, path: this.primaryPath(imageId) } : null;
  }

  /** The path to read an image from: its first file that was present at the last scan. */
  primaryPath(imageId: number): string | null {
    return this.files(imageId).find((f) => !f.missing)?.path ?? null;
  }

  setStatus(imageId: number, status: ImageStatus): void {
    this.#setStatus.run(status, imageId);
  }

  /** Records what the last decode of this content said (null: clean); damage belongs to the bytes, not a path. */
  setDamage(imageId: number, damage: string | null): void {
    this.#setDamage.run(damage, imageId);
  }

  /** ok while any of its files is present, missing when none is; corrupt stays until it reads again. */
  refreshStatus(imageId: number): ImageStatus {
    const files = this.files(imageId);
    const status: ImageStatus = files.some((f) => !f.missing) ? 'ok' : 'missing';
    this.setStatus(imageId, status);
    return status;
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
      | { id: number; sha256: string; width: number; height: number; format: string; bytes: number; split: Split; status: ImageStatus; damage: string | null }
      | undefined;
    if (!row) return null;
    const item = this.list({ classId: null, split: null, filter: 'all' }, id)[0];
    const paths = this.files(id).map((f) => displayPath(f.path));
    return { ...(item as ImageItem), sha256: row.sha256, format: row.format, bytes: row.bytes, paths, damage: row.damage };
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
      case 'all':
        break;
    }
    const sql = `
      SELECT i.id, f.path, i.width, i.height, i.split, i.status, i.damage,
             l.class_id AS classId, l.source AS labelSource, l.confidence, coalesce(f.n, 0) AS fileCount
      FROM images i
      LEFT JOIN labels l ON l.image_id = i.id
      LEFT JOIN (SELECT image_id, min(path) AS path, count(*) AS n FROM image_files GROUP BY image_id) f ON f.image_id = i.id
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
    }));
  }
}
