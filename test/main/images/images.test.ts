import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimiter, probeImageFile, readImageRgb, renderFull, ThumbnailQueue } from '../../../src/main/images';
import { writeAwkwardSet } from '../../fixtures/images';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lds-images-'));
  await writeAwkwardSet(join(root, 'set'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const file = (name: string): string => join(root, 'set', name);

describe('probeImageFile', () => {
  it('accepts every supported kind and reports display size after EXIF rotation', async () => {
    const rotated = await probeImageFile(file('rotated.jpg'));
    expect(rotated).toMatchObject({ ok: true, image: { width: 20, height: 40, format: 'jpeg' } });
    for (const [name, format] of [
      ['alpha.png', 'png'],
      ['deep16.png', 'png'],
      ['cmyk.jpg', 'jpeg'],
      ['photo.webp', 'webp'],
      ['scan.tiff', 'tiff'],
      ['anim.gif', 'gif'],
      ['café-ñandú-猫.jpg', 'jpeg'],
    ]) {
      const r = await probeImageFile(file(name as string));
      expect(r, name).toMatchObject({ ok: true, image: { format } });
    }
    const gif = await probeImageFile(file('anim.gif'));
    expect(gif).toMatchObject({ ok: true, image: { width: 12, height: 10 } });
  });

  it('gives a reason for each bad file', async () => {
    const reason = async (name: string): Promise<string> => {
      const r = await probeImageFile(file(name));
      if (r.ok) throw new Error(`${name} was accepted`);
      return r.reason;
    };
    expect(await reason('corrupt.jpg')).toBe('truncated JPEG (the file ends early)');
    expect(await reason('zero.jpg')).toBe('empty file (0 bytes)');
    expect(await reason('text.jpg')).toBe('not an image (text)');
    expect(await reason('old.bmp')).toBe('BMP is not supported');
    expect(await reason('dangling.jpg')).toMatch(/unreadable: no such file/);
  });

  it('hashes identical bytes identically', async () => {
    const a = await probeImageFile(file('copy-a.jpg'));
    const b = await probeImageFile(file('copy-b.jpg'));
    const c = await probeImageFile(file('plain.jpg'));
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.image.sha256).toBe(b.image.sha256);
      expect(a.image.sha256).not.toBe(c.image.sha256);
      expect(a.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('readImageRgb', () => {
  it('returns HxWx3 8-bit sRGB for every colour kind', async () => {
    for (const name of ['plain.jpg', 'alpha.png', 'deep16.png', 'cmyk.jpg', 'anim.gif', 'scan.tiff', 'photo.webp']) {
      const img = await readImageRgb(file(name), { width: 7, height: 5 });
      expect(img.data.length, name).toBe(7 * 5 * 3);
    }
    // Half-transparent red on white; 16-bit green comes down to its 8-bit value; GIF is its first (red) frame.
    const alpha = await readImageRgb(file('alpha.png'), 4);
    expect(alpha.data[0]).toBe(255);
    expect(Math.abs((alpha.data[1] ?? 0) - 127)).toBeLessThanOrEqual(2);
    const deep = await readImageRgb(file('deep16.png'), 4, 'nearest');
    expect([...deep.data.slice(0, 3)]).toEqual([10, 200, 30]);
    const gif = await readImageRgb(file('anim.gif'), 4, 'nearest');
    expect(gif.data[0]).toBeGreaterThan(200);
    expect(gif.data[2]).toBeLessThan(50);
  });

  it('applies EXIF orientation before resizing and names the file on failure', async () => {
    // 20x40 portrait after rotation; a centre crop to a square must still work.
    const img = await readImageRgb(file('rotated.jpg'), 10, 'bilinear', { fit: 'centre-crop' });
    expect(img.width).toBe(10);
    await expect(readImageRgb(file('text.jpg'), 10)).rejects.toThrow(/text\.jpg/);
    await expect(readImageRgb(file('plain.jpg'), 0)).rejects.toThrow(/positive integers/);
  });
});

describe('thumbnails and full renders', () => {
  it('makes a thumbnail once and then serves it from the cache', async () => {
    const thumbs = join(root, 'thumbs');
    const queue = new ThumbnailQueue();
    const thumbnail = (path: string, sha: string, dir: string) => queue.get(path, sha, dir);
    const [a, b] = await Promise.all([
      thumbnail(file('rotated.jpg'), 'f'.repeat(64), thumbs),
      thumbnail(file('rotated.jpg'), 'f'.repeat(64), thumbs),
    ]);
    expect(queue.stats.rendered).toBe(1);
    expect(a.equals(b)).toBe(true);
    expect(readdirSync(thumbs)).toEqual([`${'f'.repeat(64)}.webp`]);
    const mtime = statSync(join(thumbs, `${'f'.repeat(64)}.webp`)).mtimeMs;
    await thumbnail(file('rotated.jpg'), 'f'.repeat(64), thumbs);
    expect(statSync(join(thumbs, `${'f'.repeat(64)}.webp`)).mtimeMs).toBe(mtime);
    expect(a.subarray(8, 12).toString('ascii')).toBe('WEBP');
  });

  it('renders PNG for transparency and JPEG otherwise', async () => {
    expect((await renderFull(file('alpha.png'))).contentType).toBe('image/png');
    const jpeg = await renderFull(file('cmyk.jpg'));
    expect(jpeg.contentType).toBe('image/jpeg');
    expect(jpeg.data[0]).toBe(0xff);
  });
});

describe('createLimiter', () => {
  it('never runs more than the limit at once', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
