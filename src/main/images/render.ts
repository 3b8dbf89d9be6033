import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { decodeLimit } from './concurrency';
import { withSharpInput } from './sharp-input';

export const THUMB_SIZE = 256;
export const FULL_MAX_SIZE = 2048;

export interface EncodedImage {
  data: Buffer;
  contentType: string;
}

/**
 * The decode every consumer shares: first frame only (GIF, multi-page TIFF), EXIF orientation
 * applied, any colour space and bit depth (CMYK, 16-bit, greyscale) brought to 8-bit sRGB.
 */
function decode(input: string | Buffer): Sharp {
  return sharp(input, { pages: 1, failOn: 'none' }).rotate();
}

/** Where the cached thumbnail of a picture with this content hash lives. */
export function thumbnailFile(thumbsDir: string, sha256: string): string {
  return join(thumbsDir, `${sha256}.webp`);
}

/** The cached thumbnail, or null when it has not been made yet. */
export async function readCachedThumbnail(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

/**
 * Renders a WebP thumbnail (longest side THUMB_SIZE) and stores it as `file`. WebP effort 1: half
 * the CPU of the default 4 for files ~15% larger (a few KB), and the grid waits on this after a scroll.
 */
export async function renderThumbnail(sourcePath: string, file: string): Promise<Buffer> {
  const data = await withSharpInput(sourcePath, (input) =>
    decode(input)
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .webp({ quality: 80, effort: 1 })
      .toBuffer(),
  );
  await mkdir(dirname(file), { recursive: true });
  // Write then rename, so a reader never sees half a file.
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
  return data;
}

/** The picture as the user should see it, at most FULL_MAX_SIZE: PNG when it has transparency, else JPEG. */
export async function renderFull(sourcePath: string): Promise<EncodedImage> {
  return decodeLimit(() =>
    withSharpInput(sourcePath, async (input) => {
      const meta = await sharp(input, { pages: 1 }).metadata();
      const pipeline = decode(input)
        .resize(FULL_MAX_SIZE, FULL_MAX_SIZE, { fit: 'inside', withoutEnlargement: true })
        .toColourspace('srgb');
      if (meta.hasAlpha) return { data: await pipeline.png().toBuffer(), contentType: 'image/png' };
      return { data: await pipeline.jpeg({ quality: 90 }).toBuffer(), contentType: 'image/jpeg' };
    }),
  );
}
