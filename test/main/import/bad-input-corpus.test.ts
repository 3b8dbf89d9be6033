/**
 * The bad-input corpus: every kind of file an outside audit threw at the import, in one folder next
 * to good pictures. Each good file must be kept, each bad one named with its own reason, and memory
 * must not follow file sizes (1 GiB files, sparse so the disk is not filled).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../src/shared/contract';
import { Catalogue } from '../../../src/main/catalogue';
import { readImageRgb, ThumbnailQueue } from '../../../src/main/images';
import { perceptualHash } from '../../../src/main/images/phash';
import { importFolders, rescanCatalogue } from '../../../src/main/import';
import { noisyJpeg, tinyBmp } from '../../fixtures/images';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Generous: the import holds a few MB per file in flight; reading whole files took GBs. */
const RSS_GROWTH_LIMIT = 400 * MiB;

/** A PNG whose header (with a valid CRC) claims width x height; no pixel data follows worth decoding. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.alloc(16)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Entropy-coded data overwritten in its middle third: libjpeg warns "Corrupt JPEG data" and decodes on. */
function scrambled(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = Math.floor(out.length * 0.4); i < out.length * 0.6; i += 37) out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

let dir: string;
let root: string;
let catalogue: Catalogue;
let result: ImportResult;
let peakGrowth = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-corpus-'));
  root = join(dir, 'corpus');
  const put = (name: string, data: Buffer | string): void => {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), data);
  };
  // Good pictures: a class folder, and a class folder named in Latin-1 (byte 0xE9, not UTF-8).
  put('cats/plain.jpg', await noisyJpeg(64, 48, 1));
  put(
    'cats/photo.png',
    await sharp(await noisyJpeg(40, 30, 2))
      .png()
      .toBuffer(),
  );
  const cafe = Buffer.concat([Buffer.from(join(root, 'caf')), latin1('é')]);
  mkdirSync(cafe);
  writeFileSync(Buffer.concat([cafe, Buffer.from('/inside.jpg')]), await noisyJpeg(32, 32, 3));
  writeFileSync(Buffer.concat([cafe, Buffer.from('/'), latin1('naïve.jpg')]), await noisyJpeg(32, 32, 4));
  // Kept, but damaged.
  put('cats/scrambled.jpg', scrambled(await noisyJpeg(256, 256, 5)));
  // A valid picture followed by 1 GiB of zeros: accepted, hashed in pieces.
  put('cats/big-tail.jpg', await noisyJpeg(32, 32, 6));
  truncateSync(join(root, 'cats/big-tail.jpg'), GiB);

  // Bad files, each with what the report must say.
  const good = await noisyJpeg(128, 96, 7);
  put('bad/zero.jpg', Buffer.alloc(0));
  put('bad/truncated.jpg', good.subarray(0, Math.floor(good.length / 2)));
  const png = await sharp(await noisyJpeg(128, 96, 8))
    .png()
    .toBuffer();
  put('bad/truncated.png', png.subarray(0, Math.floor(png.length / 2)));
  put('bad/text.jpg', 'this is not a picture\n');
  put('bad/drawing.png', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  put('bad/old.bmp', tinyBmp(8, 8));
  put('bad/renamed-bmp.jpg', tinyBmp(8, 8));
  put('bad/huge.png', pngClaiming(30000, 30000));
  put('bad/random.jpg', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251 || 1)));
  for (let i = 1; i <= 4; i++) {
    put(`bad/junk-${i}.jpg`, '');
    truncateSync(join(root, `bad/junk-${i}.jpg`), GiB);
  }
  put('bad/notes.txt', 'not a picture');
  symlinkSync(join(root, 'bad/nowhere.jpg'), join(root, 'bad/dangling.jpg'));
  symlinkSync(join(root, 'bad/loop-b.jpg'), join(root, 'bad/loop-a.jpg'));
  symlinkSync(join(root, 'bad/loop-a.jpg'), join(root, 'bad/loop-b.jpg'));
  execFileSync('mkfifo', [join(root, 'bad/pipe.jpg')]);
  // Folder links: one back up to the corpus (a loop), one across it, one out of it.
  symlinkSync(root, join(root, 'cats/back-up'));
  symlinkSync(join(root, 'bad'), join(root, 'cats/see-bad'));
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere/away.jpg'), await noisyJpeg(16, 16, 9));
  symlinkSync(join(dir, 'elsewhere'), join(root, 'outside'));

  catalogue = Catalogue.openWorkspace(join(dir, 'workspace'));
  const baseline = process.memoryUsage.rss();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    result = await importFolders(catalogue, { paths: [root], valFraction: 0.2, testFraction: 0, seed: 42 });
  } finally {
    clearInterval(sampler);
  }
  // The high-water mark catches a peak between samples, where it rose above any earlier one.
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
  peakGrowth = Math.max(0, peak - baseline);
}, 240_000);

afterAll(() => {
  catalogue?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const reasonOf = (name: string): string | undefined => result.skipped.find((s) => s.path.endsWith(`/${name}`))?.reason;

describe('the bad-input corpus', () => {
  it('keeps every good file', () => {
    const names = catalogue.images.list({ classId: null, split: null, filter: 'all' }).map((i) => i.name);
    expect(names.sort()).toEqual(['big-tail.jpg', 'inside.jpg', 'na\uFFFDve.jpg', 'photo.png', 'plain.jpg', 'scrambled.jpg'].sort());
    expect(result).toMatchObject({ added: 6, newPaths: 6, duplicates: 0, cancelled: false });
    expect(catalogue.status().corrupt).toBe(0);
  });

  it('names each bad file with its own reason', () => {
    const expected: Record<string, string | RegExp> = {
      'zero.jpg': 'empty file (0 bytes)',
      'truncated.jpg': 'truncated JPEG (the file ends early)',
      'truncated.png': 'truncated PNG (the file ends early)',
      'text.jpg': 'not an image (text)',
      'drawing.png': 'SVG is not supported',
      'old.bmp': 'BMP is not supported',
      'renamed-bmp.jpg': 'BMP is not supported',
      'huge.png': 'exceeds the pixel limit (30000×30000)',
      'random.jpg': 'not an image (unrecognised content)',
      'junk-1.jpg': 'not an image (zero-filled)',
      'junk-2.jpg': 'not an image (zero-filled)',
      'junk-3.jpg': 'not an image (zero-filled)',
      'junk-4.jpg': 'not an image (zero-filled)',
      'notes.txt': 'not an image file (unknown extension)',
      'dangling.jpg': /^dangling link \(its target .*\/bad\/nowhere\.jpg does not exist\)$/,
      'loop-a.jpg': 'unreadable: symbolic link loop',
      'loop-b.jpg': 'unreadable: symbolic link loop',
      'pipe.jpg': 'not a regular file (FIFO, socket or device)',
      'back-up': /^folder link not followed: loop \(.*corpus leads back to a folder that contains the link\)$/,
      'see-bad': /^folder link not followed: points inside the imported folder \(to .*\/corpus\/bad\)$/,
      outside: /^folder link not followed: points outside the imported folder \(to .*\/elsewhere\); import that folder itself$/,
    };
    for (const [name, reason] of Object.entries(expected)) {
      if (typeof reason === 'string') expect(reasonOf(name), name).toBe(reason);
      else expect(reasonOf(name), name).toMatch(reason);
    }
    expect(result.skipped).toHaveLength(Object.keys(expected).length);
    // Nothing is reported in the vague words of before.
    expect(result.skipped.filter((s) => /sharp can read|no such file/.test(s.reason))).toEqual([]);
  });

  it('keeps memory bounded whatever the file sizes (4 GiB of junk and a 1 GiB picture)', () => {
    console.log(`import RSS growth: ${(peakGrowth / MiB).toFixed(0)} MiB`);
    expect(peakGrowth).toBeLessThan(RSS_GROWTH_LIMIT);
    const big = catalogue.images.list({ classId: null, split: null, filter: 'all' }).find((i) => i.name === 'big-tail.jpg');
    expect(catalogue.images.detail(big?.id as number)).toMatchObject({ bytes: GiB, width: 32, height: 32 });
  });

  it('marks a scrambled JPEG damaged: kept, counted, filtered, with the decoder warning', () => {
    const damaged = catalogue.images.list({ classId: null, split: null, filter: 'damaged' });
    expect(damaged.map((i) => [i.name, i.status, i.damaged])).toEqual([['scrambled.jpg', 'ok', true]]);
    expect(catalogue.images.detail(damaged[0]?.id as number)?.damage).toMatch(/^Corrupt JPEG data/);
    expect(catalogue.status()).toMatchObject({ damaged: 1, corrupt: 0 });
    expect(catalogue.images.list({ classId: null, split: null, filter: 'all' }).filter((i) => i.damaged)).toHaveLength(1);
    // Still labelled from its folder: the user decides whether it stays in training.
    expect(catalogue.labels.get(damaged[0]?.id as number)).toMatchObject({ source: 'folder' });
  });

  it('imports non-UTF-8 names: shown with U+FFFD, labelled, thumbnailed, decoded and rescanned', async () => {
    const classes = catalogue.status().classes.map((c) => [c.name, c.count]);
    expect(classes).toContainEqual(['caf\uFFFD', 2]);
    const item = catalogue.images.list({ classId: null, split: null, filter: 'all' }).find((i) => i.name === 'na\uFFFDve.jpg');
    expect(item).toBeDefined();
    const id = item?.id as number;
    expect(catalogue.images.detail(id)?.paths).toEqual([join(root, 'caf\uFFFD', 'na\uFFFDve.jpg')]);
    const source = catalogue.images.source(id);
    const path = source?.path as string;
    const thumb = await new ThumbnailQueue().get(path, source?.sha256 as string, join(dir, 'thumbs'));
    expect((await sharp(thumb).metadata()).format).toBe('webp');
    expect((await readImageRgb(path, 8)).data).toHaveLength(8 * 8 * 3);
    expect((await perceptualHash(path)).phash).toMatch(/^[0-9a-f]{16}$/);

    const unchanged = await rescanCatalogue(catalogue);
    expect(unchanged).toMatchObject({ missing: 0, changed: 0 });
    const cafe = Buffer.concat([Buffer.from(join(root, 'caf')), latin1('é')]);
    renameSync(cafe, join(dir, 'away'));
    expect(await rescanCatalogue(catalogue)).toMatchObject({ missing: 2 });
    renameSync(join(dir, 'away'), cafe);
    expect(await rescanCatalogue(catalogue)).toMatchObject({ missing: 0, restored: 2, changed: 0 });
    expect(catalogue.status().missing).toBe(0);
    // A second import finds the same paths: nothing new, nothing lost.
    const again = await importFolders(catalogue, { paths: [root], valFraction: 0.2, testFraction: 0, seed: 42 });
    expect(again).toMatchObject({ added: 0, newPaths: 0, unchanged: 6 });
  });
});
