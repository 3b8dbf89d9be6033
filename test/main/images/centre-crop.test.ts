import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, test } from 'vitest';
import { centreSquare, readImageRgb } from '../../../src/main/images';
import { CATS_DOGS } from '../training/fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'lds-crop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Teachable Machine's crop, written out: the largest centred square (offset ~~(d / 2)), then the resize. */
async function cropThenResize(input: string | Buffer, size: number): Promise<Uint8Array> {
  const upright = await sharp(input).rotate().png().toBuffer();
  const { width = 0, height = 0 } = await sharp(upright).metadata();
  const side = Math.min(width, height);
  const left = ~~((width - side) / 2);
  const top = ~~((height - side) / 2);
  const { data } = await sharp(upright)
    .extract({ left, top, width: side, height: side })
    .flatten({ background: '#ffffff' })
    .resize(size, size, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const photos = ['cats', 'dogs'].flatMap((c) =>
  readdirSync(join(CATS_DOGS, 'validation', c))
    .sort()
    .slice(0, 4)
    .map((f) => join(CATS_DOGS, 'validation', c, f)),
);

describe('centre crop: the centre square, then the resize (Teachable Machine, torchvision)', () => {
  test('centreSquare keeps the shorter side, centred; an odd margin leaves its extra pixel right/bottom', () => {
    expect(centreSquare(500, 375)).toEqual({ left: 62, top: 0, width: 375, height: 375 });
    expect(centreSquare(300, 451)).toEqual({ left: 0, top: 75, width: 300, height: 300 });
    expect(centreSquare(5, 2)).toEqual({ left: 1, top: 0, width: 2, height: 2 });
    expect(centreSquare(7, 7)).toEqual({ left: 0, top: 0, width: 7, height: 7 });
  });

  test('on real non-square photos it equals cropping the centre square and resizing it, and differs from stretch', async () => {
    let differs = 0;
    for (const photo of photos) {
      const meta = await sharp(photo).metadata();
      const crop = await readImageRgb(photo, 224, 'bilinear', { fit: 'centre-crop' });
      expect(maxDiff(crop.data, await cropThenResize(photo, 224)), photo).toBe(0);
      const stretch = await readImageRgb(photo, 224, 'bilinear');
      if (meta.width !== meta.height && maxDiff(crop.data, stretch.data) > 16) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });

  test('the crop is of the picture as seen: EXIF orientation is applied first', async () => {
    // A landscape photo stored with orientation 6 (shown rotated a quarter: portrait).
    const file = join(tmp, 'rotated.jpg');
    await sharp(photos[0]!).resize(300, 200, { fit: 'fill' }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(file);
    const stored = await sharp(file).metadata();
    expect(stored.width).toBeGreaterThan(stored.height ?? 0);
    const crop = await readImageRgb(file, 96, 'bilinear', { fit: 'centre-crop' });
    expect(maxDiff(crop.data, await cropThenResize(file, 96))).toBe(0);
  });

  test('a square picture is only resized, and a broken file is named', async () => {
    const square = join(tmp, 'square.png');
    await sharp({ create: { width: 40, height: 40, channels: 3, background: '#3366cc' } })
      .png()
      .toFile(square);
    const a = await readImageRgb(square, 16, 'bilinear', { fit: 'centre-crop' });
    const b = await readImageRgb(square, 16, 'bilinear');
    expect(maxDiff(a.data, b.data)).toBe(0);
    await expect(readImageRgb(join(tmp, 'missing.jpg'), 16, 'bilinear', { fit: 'centre-crop' })).rejects.toThrow(/missing\.jpg/);
  });
});
