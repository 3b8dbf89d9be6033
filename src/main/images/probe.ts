import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import sharp, { type FailOnOptions, type Metadata } from 'sharp';
import { ACCEPTED_FORMATS } from './formats';
import { decodeLimit } from './concurrency';
import { fsPath } from './file-path';
import { sharpInputOf } from './sharp-input';
import { endIsMissing, FORMAT_LABELS, sniff, SNIFF_BYTES, type SniffedFormat } from './sniff';

export interface ProbedImage {
  sha256: string;
  bytes: number;
  format: string;
  /** Display size, after EXIF orientation. */
  width: number;
  height: number;
  /**
   * The decoder's first warning when a JPEG decodes only by patching over bad data ("Corrupt JPEG
   * data: …"): the picture is kept but may show grey or smeared blocks. null when it decodes cleanly.
   */
  damage: string | null;
}

export type ProbeResult = { ok: true; image: ProbedImage } | { ok: false; reason: string };

/** sharp's own default (0x3FFF²): a larger picture is refused from its header, before any decode. */
export const PIXEL_LIMIT = 268_402_689;

/** The hash reads a file in pieces of this size: memory per probe stays the same whatever the file. */
const HASH_CHUNK = 256 * 1024;
/**
 * Files up to this size are read whole (the import probes 64 at once: 64 MiB at most); larger ones
 * are hashed in pieces and decoded by libvips from the file.
 */
const WHOLE_FILE_BYTES = 1024 * 1024;
/** Bytes from the end of a file that show whether it was cut short. */
const TAIL_BYTES = 64;

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Checks that a file is an image the catalogue can use, and hashes it. The first bytes decide first
 * (an empty, text, BMP or junk file is turned away unread); an image is then hashed in pieces and
 * its header checked against the pixel limit. Header metadata alone accepts a truncated JPEG, so the
 * pixels are decoded too — at thumbnail scale, which libjpeg does by DCT scaling in about a
 * millisecond, and from the file, so memory does not grow with the file's size.
 */
export async function probeImageFile(path: string): Promise<ProbeResult> {
  let handle: FileHandle;
  try {
    // Non-blocking, so a FIFO that appeared since the scan cannot hang the import.
    handle = await open(fsPath(path), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { ok: false, reason: `unreadable: ${describeFsError(error)}` };
  }
  try {
    return await probeOpenFile(path, handle);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${describeFsError(error)}` };
  } finally {
    await handle.close();
  }
}

async function probeOpenFile(path: string, handle: FileHandle): Promise<ProbeResult> {
  const info = await handle.stat();
  if (!info.isFile()) return { ok: false, reason: 'not a regular file (FIFO, socket or device)' };
  if (info.size === 0) return { ok: false, reason: 'empty file (0 bytes)' };
  const head = await readAt(handle, 0, Math.min(SNIFF_BYTES, info.size));
  const sniffed = sniff(head);
  if (!sniffed.ok) return sniffed;
  if (info.size <= WHOLE_FILE_BYTES) {
    // A photo-sized file is read once and decoded from memory: no second and third open by libvips.
    const data = info.size <= head.length ? head : Buffer.concat([head, await readAt(handle, head.length, info.size - head.length)]);
    const ends = { format: sniffed.format, head, tail: data.subarray(-TAIL_BYTES), size: data.length };
    return decodeLimit(() => decodeCheck(data, ends, sha256Of(data)));
  }
  const tail = await readAt(handle, Math.max(0, info.size - TAIL_BYTES), TAIL_BYTES);
  const { sha256, bytes } = await hashFile(handle);
  const input = await sharpInputOf(path, handle);
  return decodeLimit(() => decodeCheck(input, { format: sniffed.format, head, tail, size: bytes }, sha256));
}

interface FileEnds {
  format: SniffedFormat;
  head: Uint8Array;
  tail: Uint8Array;
  size: number;
}

async function decodeCheck(input: string | Buffer, ends: FileEnds, sha256: string): Promise<ProbeResult> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    return { ok: false, reason: decodeFailure(ends, error) };
  }
  const format = meta.format ?? 'unknown';
  if (!ACCEPTED_FORMATS.has(format)) return { ok: false, reason: `${FORMAT_LABELS[format] ?? format.toUpperCase()} is not supported` };
  if (!meta.width || !meta.height) return { ok: false, reason: `corrupt ${label(format)}: no size in header` };
  if (meta.width * meta.height > PIXEL_LIMIT) return { ok: false, reason: `exceeds the pixel limit (${meta.width}×${meta.height})` };
  let damage: string | null = null;
  try {
    // Only libjpeg patches over damaged data with a warning; other decoders' warnings (a PNG's odd
    // colour profile) say nothing about the pixels.
    if (format === 'jpeg') damage = await jpegWarning(input);
    if (format !== 'jpeg' || damage !== null) await decodeSmall(input, 'truncated');
  } catch (error) {
    return { ok: false, reason: decodeFailure(ends, error) };
  }
  const { width, height } = meta.autoOrient ?? meta;
  return { ok: true, image: { sha256, bytes: ends.size, format, width, height, damage } };
}

const GENERIC_WARNING = /treated as error due to failOn/i;

/**
 * libjpeg's warning for a JPEG that decodes only by patching over damaged data, or null. libvips keeps one
 * error buffer per process, so a decode running beside this one can take the decoder's line and leave only
 * sharp's generic "Warning treated as error…": ask once more, then say what is known.
 */
async function jpegWarning(input: string | Buffer): Promise<string | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const warning = await decodeSmall(input, 'warning').then(
      () => null,
      (error: unknown) => firstLine(error),
    );
    if (warning === null || !GENERIC_WARNING.test(warning)) return warning;
  }
  return 'Corrupt JPEG data: the decoder patched over damaged data';
}

async function decodeSmall(input: string | Buffer, failOn: FailOnOptions): Promise<void> {
  await sharp(input, { failOn, pages: 1 }).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
}

const TRUNCATION = /premature end|unexpected end|truncated|not enough data|end of (file|stream|data)/i;

function decodeFailure(ends: FileEnds, error: unknown): string {
  const message = firstLine(error);
  const format = label(ends.format);
  const truncated = endIsMissing(ends.format, ends.head, ends.tail, ends.size) ?? TRUNCATION.test(message);
  return truncated ? `truncated ${format} (the file ends early)` : `corrupt ${format}: ${message || 'unreadable data'}`;
}

const label = (format: string): string => FORMAT_LABELS[format] ?? format;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

async function hashFile(handle: FileHandle): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  let bytes = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, HASH_CHUNK, bytes);
    if (bytesRead === 0) break;
    hash.update(chunk.subarray(0, bytesRead));
    bytes += bytesRead;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // libvips joins its messages in the order its threads logged them, so sharp's own "Warning treated
  // as error due to failOn setting" may come first: the decoder's line is the one that says what happened.
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.find((line) => !GENERIC_WARNING.test(line)) ?? lines[0] ?? message)
    .replace(/^Input (buffer|file) has corrupt header: /, '')
    .replace(/^(VipsJpeg|vipspng|VipsForeignLoad\w*|\w+load(_\w+)?): /i, '')
    .trim();
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
