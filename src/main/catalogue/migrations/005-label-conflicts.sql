-- What each path says about its picture, so a re-import or rescan can tell what changed.
-- folder_class_id: the class folder the path was found under at its last import (NULL: none). A picture
-- whose present paths name two or more classes is a label conflict: it takes no folder label until the
-- user labels it.
ALTER TABLE image_files ADD COLUMN folder_class_id INTEGER REFERENCES classes (id) ON DELETE SET NULL;
-- unreadable: the path is there but its bytes no longer decode; the image is corrupt while one of its
-- present paths is, and becomes ok again once every one reads (rescan and re-import re-probe them).
ALTER TABLE image_files ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0 CHECK (unreadable IN (0, 1));
CREATE INDEX image_files_folder_class ON image_files (folder_class_id);

-- Until now a folder label was all that was kept of a path's folder; corrupt was kept per image.
UPDATE image_files SET folder_class_id = (SELECT l.class_id FROM labels l WHERE l.image_id = image_files.image_id AND l.source = 'folder');
UPDATE image_files SET unreadable = 1 WHERE missing = 0 AND image_id IN (SELECT id FROM images WHERE status = 'corrupt');
