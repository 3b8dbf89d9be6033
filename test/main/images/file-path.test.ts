import { describe, expect, it } from 'vitest';
import { displayPath, fsPath, pathFromBytes, pathFromString } from '../../../src/main/images/file-path';
import { sniff } from '../../../src/main/images/sniff';

const bytesOf = (path: string): Buffer => {
  const target = fsPath(path);
  return typeof target === 'string' ? Buffer.from(target, 'utf8') : target;
};

describe('catalogue paths for file names that are not UTF-8', () => {
  it('leaves valid UTF-8 paths as they are (catalogues written before stay valid)', () => {
    for (const path of ['/data/cats/a.jpg', '/données/café-ñandú-猫.jpg', '/emoji/🐈.png', '/x/%E9.jpg']) {
      expect(pathFromBytes(Buffer.from(path, 'utf8'))).toBe(path);
      expect(fsPath(path)).toBe(path);
      expect(displayPath(path)).toBe(path);
      expect(pathFromString(path)).toBe(path);
    }
  });

  it('round-trips any bytes exactly, and shows invalid ones as U+FFFD', () => {
    const latin1 = Buffer.from('/data/caf\xe9/na\xefve.jpg', 'latin1');
    const path = pathFromBytes(latin1);
    expect(bytesOf(path).equals(latin1)).toBe(true);
    expect(displayPath(path)).toBe('/data/caf\uFFFD/na\uFFFDve.jpg');
    // Every byte value, and sequences that are nearly UTF-8 (overlong, surrogates, cut short).
    const nasty = [
      Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1)),
      Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82]),
      Buffer.from('\uef80\uefff ok', 'utf8'),
    ];
    for (const bytes of nasty) expect(bytesOf(pathFromBytes(bytes)).equals(bytes)).toBe(true);
    let seed = 1;
    for (let n = 0; n < 500; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (n % 40) }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
      expect(bytesOf(pathFromBytes(bytes)).equals(bytes), bytes.toString('hex')).toBe(true);
    }
  });

  it('keeps two names that differ only in a non-UTF-8 byte apart', () => {
    const a = pathFromBytes(Buffer.from('caf\xe9', 'latin1'));
    const b = pathFromBytes(Buffer.from('caf\xe8', 'latin1'));
    expect(a).not.toBe(b);
    expect(displayPath(a)).toBe(displayPath(b));
  });

  it('escapes a real character of the reserved range, so the mapping stays one-to-one', () => {
    const real = '/x/\uef81.jpg';
    const stored = pathFromString(real);
    expect(stored).not.toBe(real);
    expect(bytesOf(stored).equals(Buffer.from(real, 'utf8'))).toBe(true);
    expect(displayPath(stored)).toBe(real);
  });
});

describe('sniffing the first bytes', () => {
  it('names what a file is before reading the rest', () => {
    const of = (bytes: number[] | string): ReturnType<typeof sniff> =>
      sniff(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes));
    expect(of([0xff, 0xd8, 0xff, 0xe0])).toEqual({ ok: true, format: 'jpeg' });
    expect(of([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])).toEqual({ ok: true, format: 'png' });
    expect(of('RIFF\x10\0\0\0WEBPVP8 ')).toEqual({ ok: true, format: 'webp' });
    expect(of('GIF89a')).toEqual({ ok: true, format: 'gif' });
    expect(of('II*\0\x08\0\0\0')).toEqual({ ok: true, format: 'tiff' });
    expect(of('\0\0\0\x18ftypheic')).toEqual({ ok: false, reason: 'HEIC is not supported' });
    expect(of('\0\0\0\x18ftypavif')).toEqual({ ok: false, reason: 'AVIF is not supported' });
    expect(of('%PDF-1.7\n')).toEqual({ ok: false, reason: 'not an image (PDF document)' });
    expect(of('hello, world — plain text\n')).toEqual({ ok: false, reason: 'not an image (text)' });
    expect(of('<?xml version="1.0"?><svg/>')).toEqual({ ok: false, reason: 'SVG is not supported' });
    expect(of(new Array(64).fill(0))).toEqual({ ok: false, reason: 'not an image (zero-filled)' });
    expect(of([0x01, 0x9c, 0x00, 0xfe, 0x13])).toEqual({ ok: false, reason: 'not an image (unrecognised content)' });
  });
});
