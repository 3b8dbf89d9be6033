import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '@shared/random';
import { upsampleGrid } from '@shared/heatmap';

export type Quadrant = 0 | 1 | 2 | 3;
/** Quadrants in reading order: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
export const QUADRANT_NAMES = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;

/**
 * A size x size PNG of grey noise with, when `quadrant` is given, a bright disc wholly inside that
 * quadrant (radius and place drawn from the seed).
 */
export async function quadrantPicture(file: string, size: number, quadrant: Quadrant | null, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = 70 + Math.floor(random() * 90);
  if (quadrant !== null) {
    const half = size / 2;
    const radius = Math.round(size * (0.09 + random() * 0.04));
    const margin = radius + 2;
    const cx = (quadrant % 2) * half + margin + random() * (half - 2 * margin);
    const cy = Math.floor(quadrant / 2) * half + margin + random() * (half - 2 * margin);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) pixels.fill(250, (y * size + x) * 3, (y * size + x) * 3 + 3);
  }
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

/**
 * Writes `<root>/<split>/<class>/<n>.png` for each class: `quadrantOf(i)` says where picture i of the
 * class has its disc (null: none). Returns the files with their disc's quadrant.
 */
export async function writeQuadrantSet(
  root: string,
  classes: Record<string, (i: number) => Quadrant | null>,
  counts: { train: number; validation: number },
  size: number,
  seed: number,
): Promise<{ path: string; className: string; split: string; quadrant: Quadrant | null }[]> {
  const written: { path: string; className: string; split: string; quadrant: Quadrant | null }[] = [];
  let s = seed;
  for (const [split, count] of Object.entries(counts))
    for (const [className, quadrantOf] of Object.entries(classes)) {
      const dir = join(root, split, className);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        const path = join(dir, `${String(i).padStart(3, '0')}.png`);
        const quadrant = quadrantOf(i);
        await quadrantPicture(path, size, quadrant, s++);
        written.push({ path, className, split, quadrant });
      }
    }
  return written;
}

/** The share of the heatmap's mass (drawn over a width x height picture, stretched) inside a quadrant. */
export function massInQuadrant(
  e: { grid: number[]; gridWidth: number; gridHeight: number },
  quadrant: Quadrant,
  width = 224,
  height = 224,
): number {
  const values = upsampleGrid(e.grid, e.gridWidth, e.gridHeight, width, height);
  let inside = 0;
  let total = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x] as number;
      total += v;
      const q = (x >= width / 2 ? 1 : 0) + (y >= height / 2 ? 2 : 0);
      if (q === quadrant) inside += v;
    }
  return total > 0 ? inside / total : 0;
}
