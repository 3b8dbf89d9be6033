-- A run whose app or command exited mid-run (crash, kill -9) is 'interrupted', neither failed nor
-- cancelled. SQLite cannot change a CHECK constraint in place, so runs is rebuilt. Migrations run in
-- a transaction with foreign keys on (PRAGMA foreign_keys cannot change there), and dropping runs
-- would cascade-delete its epochs and predictions: those two are set aside first and rebuilt after,
-- with the same definitions as 001. The new table refers to itself as runs_new until the rename,
-- so dropping the old runs cannot null its parent_run links; defer_foreign_keys lets a child row
-- arrive before its parent run.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE saved_run_epochs AS SELECT * FROM run_epochs;
CREATE TEMP TABLE saved_predictions AS SELECT * FROM predictions;
DROP TABLE run_epochs;
DROP TABLE predictions;

CREATE TABLE runs_new (
  id           TEXT PRIMARY KEY,
  mode         TEXT NOT NULL CHECK (mode IN ('scratch', 'bottleneck', 'finetune')),
  parent_run   TEXT REFERENCES runs_new (id) ON DELETE SET NULL,
  backbone_id  TEXT,
  config       TEXT NOT NULL,           -- JSON
  status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  error        TEXT,
  backend      TEXT,
  timings      TEXT,                    -- JSON
  metrics      TEXT,                    -- JSON: summary metrics
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at   TEXT,
  finished_at  TEXT
);
-- rowid order is the tie-break of the runs list: keep it.
INSERT INTO runs_new (rowid, id, mode, parent_run, backbone_id, config, status, error, backend, timings, metrics, created_at, started_at, finished_at)
  SELECT rowid, id, mode, parent_run, backbone_id, config, status, error, backend, timings, metrics, created_at, started_at, finished_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;

CREATE TABLE run_epochs (
  run_id    TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch     INTEGER NOT NULL,
  loss      REAL,
  acc       REAL,
  val_loss  REAL,
  val_acc   REAL,
  seconds   REAL,
  PRIMARY KEY (run_id, epoch)
);
INSERT INTO run_epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds)
  SELECT run_id, epoch, loss, acc, val_loss, val_acc, seconds FROM saved_run_epochs;

CREATE TABLE predictions (
  run_id         TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  image_id       INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  class_id       INTEGER REFERENCES classes (id) ON DELETE SET NULL,
  confidence     REAL,
  probabilities  TEXT,                  -- JSON: {class name: p}
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (run_id, image_id)
);
CREATE INDEX predictions_image ON predictions (image_id);
INSERT INTO predictions (run_id, image_id, class_id, confidence, probabilities, created_at)
  SELECT run_id, image_id, class_id, confidence, probabilities, created_at FROM saved_predictions;

DROP TABLE saved_run_epochs;
DROP TABLE saved_predictions;
