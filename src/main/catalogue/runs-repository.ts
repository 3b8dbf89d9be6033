import type { Db } from './db';

/** 'interrupted': the app or command that ran it exited mid-run (crash, kill -9); see migration 006. */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type RunMode = 'scratch' | 'bottleneck' | 'finetune';

export interface RunRow {
  id: string;
  mode: RunMode;
  parentRun: string | null;
  backboneId: string | null;
  config: Record<string, unknown>;
  status: RunStatus;
  error: string | null;
  backend: string | null;
  timings: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunEpochRow {
  epoch: number;
  loss: number | null;
  acc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  seconds: number | null;
}

/** One labelled image as training sees it: content hash, a path that exists, class, split. */
export interface TrainingImageRow {
  imageId: number;
  sha256: string;
  path: string;
  classId: number;
  className: string;
  split: 'train' | 'validation' | 'test';
}

interface RawRun {
  id: string;
  mode: RunMode;
  parent_run: string | null;
  backbone_id: string | null;
  config: string;
  status: RunStatus;
  error: string | null;
  backend: string | null;
  timings: string | null;
  metrics: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const json = (text: string | null): Record<string, unknown> | null => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

function toRow(raw: RawRun): RunRow {
  return {
    id: raw.id,
    mode: raw.mode,
    parentRun: raw.parent_run,
    backboneId: raw.backbone_id,
    config: json(raw.config) ?? {},
    status: raw.status,
    error: raw.error,
    backend: raw.backend,
    timings: json(raw.timings),
    metrics: json(raw.metrics),
    createdAt: raw.created_at,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
  };
}

/** Training runs and their per-epoch metrics, written as they come. */
export class RunsRepository {
  readonly #insert;
  readonly #start;
  readonly #epoch;
  readonly #finish;
  readonly #get;
  readonly #list;
  readonly #epochs;
  readonly #trainingImages;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO runs (id, mode, parent_run, backbone_id, config, status) VALUES (@id, @mode, @parentRun, @backboneId, @config, 'queued')`,
    );
    this.#start = db.prepare(
      `UPDATE runs SET status = 'running', backend = ?, started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
    );
    this.#epoch = db.prepare(
      `INSERT OR REPLACE INTO run_epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#finish = db.prepare(
      `UPDATE runs SET status = ?, error = ?, metrics = coalesce(?, metrics), timings = coalesce(?, timings),
       finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
    );
    this.#get = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.#list = db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC');
    this.#epochs = db.prepare(
      'SELECT epoch, loss, acc, val_loss AS valLoss, val_acc AS valAcc, seconds FROM run_epochs WHERE run_id = ? ORDER BY epoch',
    );
    // One existing path per image (the first not marked missing); only readable, labelled, split images.
    this.#trainingImages = db.prepare(
      `SELECT i.id AS imageId, i.sha256, f.path, c.id AS classId, c.name AS className, i.split
       FROM images i
       JOIN labels l ON l.image_id = i.id
       JOIN classes c ON c.id = l.class_id
       JOIN image_files f ON f.id = (SELECT min(id) FROM image_files WHERE image_id = i.id AND missing = 0)
       WHERE i.status = 'ok' AND i.split IN ('train', 'validation', 'test') AND l.source IN ('manual', 'folder')
       ORDER BY c.position, c.id, i.id`,
    );
  }

  create(run: { id: string; mode: RunMode; parentRun: string | null; backboneId: string | null; config: Record<string, unknown> }): void {
    this.#insert.run({ ...run, config: JSON.stringify(run.config) });
  }

  markRunning(id: string, backend: string): void {
    this.#start.run(backend, id);
  }

  addEpoch(id: string, e: RunEpochRow): void {
    this.#epoch.run(id, e.epoch, e.loss, e.acc, e.valLoss, e.valAcc, e.seconds);
  }

  finish(
    id: string,
    status: Exclude<RunStatus, 'queued' | 'running'>,
    outcome: { error?: string | null; metrics?: object | null; timings?: object | null },
  ): void {
    this.#finish.run(
      status,
      outcome.error ?? null,
      outcome.metrics ? JSON.stringify(outcome.metrics) : null,
      outcome.timings ? JSON.stringify(outcome.timings) : null,
      id,
    );
  }

  get(id: string): RunRow | undefined {
    const raw = this.#get.get(id) as RawRun | undefined;
    return raw ? toRow(raw) : undefined;
  }

  list(): RunRow[] {
    return (this.#list.all() as RawRun[]).map(toRow);
  }

  epochs(id: string): RunEpochRow[] {
    return this.#epochs.all(id) as RunEpochRow[];
  }

  /** Labelled images with a split, in class display order: what a training manifest is built from. */
  trainingImages(): TrainingImageRow[] {
    return this.#trainingImages.all() as TrainingImageRow[];
  }
}
