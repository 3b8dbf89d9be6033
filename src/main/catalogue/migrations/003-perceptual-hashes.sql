-- Perceptual hashes per image content (near-duplicate / leak detection); derivable, filled on demand.
CREATE TABLE image_hashes (
  sha256  TEXT PRIMARY KEY,
  phash   TEXT NOT NULL,
  dhash   TEXT NOT NULL
);
