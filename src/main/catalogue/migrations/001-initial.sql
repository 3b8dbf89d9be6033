-- The whole data model of design.md. Later migrations (002+) add to it; never edit a shipped one.
-- Times are ISO-8601 UTC strings; JSON columns hold text validated by the code that owns them.

-- One row per distinct content (sha256). Where the bytes live is in image_files.
CREATE TABLE images (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT    NOT NULL UNIQUE,
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  format        TEXT    NOT NULL,
  bytes         INTEGER NOT NULL,
  status        TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing', 'corrupt')),
  split         TEXT    NOT NULL DEFAULT 'unassigned' CHECK (split IN ('train', 'validation', 'test', 'unassigned')),
  split_source  TEXT    NOT NULL DEFAULT 'seeded' CHECK (split_source IN ('folder', 'seeded', 'manual')),
  added_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX images_split ON images (split);

-- Every path at which an image's content was found; several paths = a duplicate.
CREATE TABLE image_files (
  id        INTEGER PRIMARY KEY,
  image_id  INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  path      TEXT    NOT NULL UNIQUE,
  size      INTEGER NOT NULL,
  mtime_ms  REAL    NOT NULL,
  missing   INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1)),
  added_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX image_files_image ON image_files (image_id);

CREATE TABLE classes (
  id        INTEGER PRIMARY KEY,
  name      TEXT    NOT NULL UNIQUE,
  hotkey    TEXT,
  colour    TEXT    NOT NULL,
  position  INTEGER NOT NULL
);

-- At most one label per image: the current truth (manual, from its folder, or a prediction).
CREATE TABLE labels (
  image_id    INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
  class_id    INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  source      TEXT    NOT NULL CHECK (source IN ('manual', 'folder', 'predicted')),
  confidence  REAL,
  updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX labels_class ON labels (class_id);

CREATE TABLE augment_presets (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  params      TEXT NOT NULL,            -- JSON: Keras ImageDataGenerator parameter names
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE backbones (
  id              TEXT    PRIMARY KEY,
  name            TEXT    NOT NULL,
  source          TEXT    NOT NULL,     -- where it came from: bundled, a model dir, a keras .h5
  weights_sha256  TEXT    NOT NULL,
  input_size      INTEGER NOT NULL,
  feature_layer   TEXT    NOT NULL,
  preprocessing   TEXT    NOT NULL,     -- JSON: channel order, value range, resize method
  added_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Bottleneck cache. Keyed by content, not image id, so it survives re-imports; backbone_key covers
-- backbone id + weights hash + input size + preprocessing; variant covers augmentation (seed, index).
CREATE TABLE features (
  image_sha256  TEXT NOT NULL,
  backbone_key  TEXT NOT NULL,
  variant       TEXT NOT NULL DEFAULT '',
  dtype         TEXT NOT NULL,
  shape         TEXT NOT NULL,          -- JSON array
  data          BLOB NOT NULL,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (image_sha256, backbone_key, variant)
);

CREATE TABLE runs (
  id           TEXT PRIMARY KEY,
  mode         TEXT NOT NULL CHECK (mode IN ('scratch', 'bottleneck', 'finetune')),
  parent_run   TEXT REFERENCES runs (id) ON DELETE SET NULL,
  backbone_id  TEXT,
  config       TEXT NOT NULL,           -- JSON
  status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  error        TEXT,
  backend      TEXT,
  timings      TEXT,                    -- JSON
  metrics      TEXT,                    -- JSON: summary metrics
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at   TEXT,
  finished_at  TEXT
);

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
