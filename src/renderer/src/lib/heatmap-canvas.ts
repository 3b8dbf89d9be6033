import { heatmapAlpha, seenRegion, turbo, upsampleGrid } from '@shared/heatmap';
import type { Explanation } from '@shared/contract';

/** Longest side of the canvas a heatmap is drawn on: the browser scales it to the picture's box. */
const CANVAS_SIDE = 320;

/**
 * Draws the map as a transparent layer with the picture's aspect, for a canvas laid over the picture
 * with the same object-fit: colour where the model looked (turbo, more opaque with more evidence),
 * a dim veil over what it never saw (centre-crop margins). Same colours and blending as `lds explain`.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, e: Explanation): void {
  const scale = Math.min(1, CANVAS_SIDE / Math.max(e.width, e.height));
  const width = Math.max(1, Math.round(e.width * scale));
  const height = Math.max(1, Math.round(e.height * scale));
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  const region = seenRegion(width, height, e.fit);
  const values = upsampleGrid(e.grid, e.gridWidth, e.gridHeight, region.width, region.height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const rx = x - region.left;
      const ry = y - region.top;
      if (rx < 0 || ry < 0 || rx >= region.width || ry >= region.height) {
        image.data[i + 3] = 128;
        continue;
      }
      const v = values[ry * region.width + rx] as number;
      const [r, g, b] = turbo(v);
      image.data[i] = r;
      image.data[i + 1] = g;
      image.data[i + 2] = b;
      image.data[i + 3] = Math.round(heatmapAlpha(v) * 255);
    }
  ctx.putImageData(image, 0, 0);
}
