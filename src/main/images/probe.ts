import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { ACCEPTED_FORMATS } from './formats';
import { decodeLimit } from './concurrency';

export interface ProbedImage {
  sha256: string;
  bytes: number;
  format: string;
  /** Display size, after EXIF orientation. */
  width: number;
  height: number;
}

export type ProbeResult = { ok: true; image: ProbedImage } | { ok: false; reason: string };

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads a file once, hashes it and checks it really decodes. Header metadata alone accepts a
 * truncated JPEG, so the pixels are decoded too — at thumbnail scale, which libjpeg does by DCT
 * scaling in about a millisecond, so a 3000-image import still takes seconds.
 */
export async function probeImageFile(path: string): Promise<ProbeResult> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${describeFsError(error)}` };
  }
  return probeImageBuffer(data);
}

export async function probeImageBuffer(data: Buffer): Promise<ProbeResult> {
  if (data.length === 0) return { ok: false, reason: 'empty file (0 bytes)' };
  return decodeLimit(async () => {
    let meta: Metadata;
    try {
      meta = await sharp(data).metadata();
    } catch {
      return { ok: false, reason: 'not an image sharp can read' };
    }
    const format = meta.format ?? 'unknown';
    if (!ACCEPTED_FORMATS.has(format)) return { ok: false, reason: `unsupported format: ${format}` };
    try {
      await sharp(data, { failOn: 'truncated', pages: 1 }).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
    } catch (error) {
      return { ok: false, reason: `corrupt ${format}: ${firstLine(error)}` };
    }
    const { width, height } = meta.autoOrient ?? meta;
    if (!width || !height) return { ok: false, reason: `corrupt ${format}: no size in header` };
    return { ok: true, image: { sha256: sha256Of(data), bytes: data.length, format, width, height } };
  });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/^Input (buffer|file) has corrupt header: /, '');
}

export function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file (dangling link or removed during import)';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return e.code ? `${e.code}: ${e.message}` : String(error);
  }
}
