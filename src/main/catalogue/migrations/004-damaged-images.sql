-- Images that decode only by patching over bad data (libjpeg's "Corrupt JPEG data" warnings): kept and
-- usable, but flagged so the user can look and decide. NULL: decodes cleanly; else the decoder's first
-- warning. A column of its own rather than a status: status has a CHECK constraint (changing it means
-- rebuilding the table), and damage is a property of the content that holds whatever its status.
ALTER TABLE images ADD COLUMN damage TEXT;
