-- Perceptual hashes per image content (near-duplicate / leak detection); derivable, filled on demand.
CREATE TABLE image_hashes (
  sha256  TEXT PRIMARY KEY,
  phash   TEXT NOT NULL,
  dhash   TEXT NOT NULL
);

-- Images found in a near-duplicate pair across splits by the last data-health check (the Library's
-- "leaks" filter); rewritten whole by each check.
CREATE TABLE image_leaks (
  image_id  INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE
);
