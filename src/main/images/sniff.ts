/**
 * What a file is, from its first bytes, before anything reads the rest: a junk file named .jpg is
 * turned away without being read, and the reason names what it is rather than what it is not.
 */
import { isUtf8 } from 'node:buffer';

/** How many bytes of a file sniffing looks at. */
export const SNIFF_BYTES = 4096;

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff';

export type Sniffed = { ok: true; format: SniffedFormat } | { ok: false; reason: string };

/** Names as people know them, for messages. */
export const FORMAT_LABELS: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF' };

const ascii = (head: Uint8Array, at: number, length: number): string => String.fromCharCode(...head.subarray(at, at + length));
const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0): boolean => bytes.every((b, i) => head[at + i] === b);

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function accepted(head: Uint8Array): SniffedFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'webp';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  return null;
}

/** Formats and files that are recognisable but not accepted, with what to tell the user. */
function knownOther(head: Uint8Array): string | null {
  if (ascii(head, 0, 2) === 'BM' && head.length >= 18 && DIB_HEADER_SIZES.has(Buffer.from(head).readUInt32LE(14)))
    return 'BMP is not supported';
  if (ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (brand === 'avif' || brand === 'avis') return 'AVIF is not supported';
    if (HEIF_BRANDS.has(brand)) return 'HEIC is not supported';
    return 'not an image (video or other ISO media file)';
  }
  if (startsWith(head, [0xff, 0x0a]) || (startsWith(head, [0, 0, 0, 0x0c]) && ascii(head, 4, 4) === 'JXL '))
    return 'JPEG XL is not supported';
  if (ascii(head, 0, 4) === '8BPS') return 'PSD is not supported';
  if (startsWith(head, [0, 0, 1, 0]) && (head[4] ?? 0) > 0 && head[5] === 0) return 'ICO is not supported';
  if (ascii(head, 0, 5) === '%PDF-') return 'not an image (PDF document)';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'not an image (ZIP archive)';
  return null;
}

/** Text: no NUL byte and valid UTF-8 (the last character may be cut by the sniff window), or a UTF-16 BOM. */
function isText(head: Uint8Array): boolean {
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return true;
  if (head.includes(0)) return false;
  for (let cut = 0; cut < 4 && cut < head.length; cut++) if (isUtf8(head.subarray(0, head.length - cut))) return true;
  return false;
}

/** Sniffs the first bytes of a non-empty file (up to SNIFF_BYTES). */
export function sniff(head: Uint8Array): Sniffed {
  const format = accepted(head);
  if (format) return { ok: true, format };
  const other = knownOther(head);
  if (other) return { ok: false, reason: other };
  if (isText(head)) {
    const text = Buffer.from(head).toString('utf8').trimStart().toLowerCase();
    if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg')))
      return { ok: false, reason: 'SVG is not supported' };
    return { ok: false, reason: 'not an image (text)' };
  }
  if (head.every((b) => b === 0)) return { ok: false, reason: 'not an image (zero-filled)' };
  return { ok: false, reason: 'not an image (unrecognised content)' };
}

/**
 * Whether a file of this format visibly ends early, from its last bytes: JPEG without its end marker,
 * PNG without IEND, GIF without its trailer, WebP shorter than its RIFF header says, TIFF whose first
 * directory lies past the end. null: nothing to tell from the ends.
 */
export function endIsMissing(format: SniffedFormat, head: Uint8Array, tail: Uint8Array, size: number): boolean | null {
  switch (format) {
    case 'jpeg': {
      // Some writers pad after the end marker; look for it near the end.
      for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return false;
      return true;
    }
    case 'png':
      return !ascii(tail, Math.max(0, tail.length - 12), 12).includes('IEND');
    case 'gif':
      return !tail.subarray(Math.max(0, tail.length - 4)).includes(0x3b);
    case 'webp':
      return head.length >= 8 && Buffer.from(head).readUInt32LE(4) + 8 > size;
    case 'tiff': {
      // The first directory's offset lies beyond the end: cut before it. Otherwise unknown.
      if (head.length < 8 || head[2] === 0x2b || head[3] === 0x2b) return null;
      const h = Buffer.from(head);
      const firstIfd = head[0] === 0x49 ? h.readUInt32LE(4) : h.readUInt32BE(4);
      return firstIfd >= size ? true : null;
    }
  }
}
