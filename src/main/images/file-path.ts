/**
 * File names are bytes; JavaScript strings are Unicode. Node decodes a name that is not valid UTF-8
 * (a Latin-1 "é" is the single byte 0xE9) into U+FFFD and cannot find the file again, and SQLite
 * cannot keep the lone surrogates Python uses for the same problem (PEP 383). So a catalogue path is
 * a string in which every byte that is not part of valid UTF-8 is written as one character of
 * U+EF80–U+EFFF (byte 0x80–0xFF + 0xEF00). A name that really contains one of those private-use
 * characters has that character's bytes escaped the same way, so the mapping is one-to-one and every
 * ordinary (valid UTF-8) path is its own catalogue path: catalogues written before stay valid.
 */
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xef00;
const ESCAPED = /[\uef80-\uefff]/;

const isEscapeCode = (code: number): boolean => code >= 0xef80 && code <= 0xefff;
const isContinuation = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x80 && byte <= 0xbf;

/** Length of the valid UTF-8 sequence starting at i, or 0 where the byte there starts none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  if (b < 0x80) return 1;
  const [c1, c2, c3] = [bytes[i + 1], bytes[i + 2], bytes[i + 3]];
  if (b >= 0xc2 && b <= 0xdf) return isContinuation(c1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    // E0 excludes overlong forms, ED excludes UTF-16 surrogates.
    const lowOk =
      b === 0xe0
        ? c1 !== undefined && c1 >= 0xa0 && c1 <= 0xbf
        : b === 0xed
          ? c1 !== undefined && c1 >= 0x80 && c1 <= 0x9f
          : isContinuation(c1);
    return lowOk && isContinuation(c2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const lowOk =
      b === 0xf0
        ? c1 !== undefined && c1 >= 0x90 && c1 <= 0xbf
        : b === 0xf4
          ? c1 !== undefined && c1 >= 0x80 && c1 <= 0x8f
          : isContinuation(c1);
    return lowOk && isContinuation(c2) && isContinuation(c3) ? 4 : 0;
  }
  return 0;
}

/** The catalogue path of a name or path as the file system gave it (readdir with encoding 'buffer'). */
export function pathFromBytes(bytes: Uint8Array): string {
  if (isUtf8(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    if (!ESCAPED.test(text)) return text;
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      const char = Buffer.from(bytes.buffer, bytes.byteOffset + i, length).toString('utf8');
      if (!isEscapeCode(char.codePointAt(0) as number)) {
        out += char;
        i += length;
        continue;
      }
    }
    // Invalid byte: escape it alone. Valid but reserved character: escape each of its bytes.
    for (const byte of bytes.subarray(i, i + Math.max(1, length))) out += String.fromCharCode(ESCAPE_BASE + byte);
    i += Math.max(1, length);
  }
  return out;
}

/** The catalogue path of a path a person or the OS handed over as a string (a command line, a dialog). */
export function pathFromString(path: string): string {
  return ESCAPED.test(path) ? pathFromBytes(Buffer.from(path, 'utf8')) : path;
}

/** What node:fs needs to reach a catalogue path: the string itself, or the exact bytes where any were escaped. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  for (const char of path) {
    const code = char.codePointAt(0) as number;
    parts.push(isEscapeCode(code) ? Buffer.of(code - ESCAPE_BASE) : Buffer.from(char, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** True when fs needs the bytes: the path holds a name that is not valid UTF-8 (or a reserved character). */
export function needsBytes(path: string): boolean {
  return ESCAPED.test(path);
}

const decoder = new TextDecoder('utf-8');

/** The path as a person should read it: each byte that is not UTF-8 shown as U+FFFD, like a terminal does. */
export function displayPath(path: string): string {
  if (!ESCAPED.test(path)) return path;
  return decoder.decode(fsPath(path) as Buffer);
}
