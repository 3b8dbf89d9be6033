/**
 * Drawing a Grad-CAM grid over a picture, the same way in the CLI's PNG (images/heatmap.ts, sharp)
 * and the window's canvas: bilinear upscaling of the grid, the turbo colour map, and an opacity that
 * grows with the evidence so the picture stays readable where the model does not look.
 */

/**
 * Turbo (Mikhailov, Google 2019), the polynomial fit by Ruofei Du (Apache-2.0): jet's order of
 * colours (blue low, red high) without its false bands. t in 0..1 → 8-bit RGB.
 */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const x2 = x * x;
  const x3 = x2 * x;
  const x4 = x3 * x;
  const x5 = x4 * x;
  const r = 0.13572138 + 4.6153926 * x - 42.66032258 * x2 + 132.13108234 * x3 - 152.94239396 * x4 + 59.28637943 * x5;
  const g = 0.09140261 + 2.19418839 * x + 4.84296658 * x2 - 14.18503333 * x3 + 4.27729857 * x4 + 2.82956604 * x5;
  const b = 0.1066733 + 12.64194608 * x - 60.58204836 * x2 + 110.36276771 * x3 - 89.90310912 * x4 + 27.34824973 * x5;
  const byte = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [byte(r), byte(g), byte(b)];
}

/** Opacity of the colour over the picture at evidence v (0..1): faint where none, at most 0.6 at the peak. */
export function heatmapAlpha(v: number): number {
  return 0.2 + 0.4 * Math.min(1, Math.max(0, v));
}

/**
 * The grid (gridHeight rows of gridWidth) resampled to width x height, bilinear with cell centres
 * aligned (as an image resize does, not corner-to-corner), edges clamped.
 */
export function upsampleGrid(grid: ArrayLike<number>, gridWidth: number, gridHeight: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const at = (x: number, y: number): number => grid[y * gridWidth + x] ?? 0;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(gridHeight - 1, Math.max(0, ((y + 0.5) * gridHeight) / height - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(gridHeight - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(gridWidth - 1, Math.max(0, ((x + 0.5) * gridWidth) / width - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(gridWidth - 1, x0 + 1);
      const fx = sx - x0;
      const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
      const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The part of a width x height picture the model saw: all of it, or its centred square (centre-crop). */
export function seenRegion(
  width: number,
  height: number,
  fit: 'stretch' | 'centre-crop',
): { left: number; top: number; width: number; height: number } {
  if (fit !== 'centre-crop') return { left: 0, top: 0, width, height };
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

export interface HeatmapGrid {
  grid: ArrayLike<number>;
  gridWidth: number;
  gridHeight: number;
  fit: 'stretch' | 'centre-crop';
}

/**
 * Blends the map into `pixels` (width x height, `channels` per pixel, 8-bit, channel 0..2 = RGB) in
 * place. Outside the region the model saw (centre-crop) the picture is dimmed: no evidence came from there.
 */
export function blendHeatmap(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  map: HeatmapGrid,
): void {
  const region = seenRegion(width, height, map.fit);
  const values = upsampleGrid(map.grid, map.gridWidth, map.gridHeight, region.width, region.height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const rx = x - region.left;
      const ry = y - region.top;
      if (rx < 0 || ry < 0 || rx >= region.width || ry >= region.height) {
        for (let c = 0; c < 3; c++) pixels[i + c] = Math.round((pixels[i + c] as number) * 0.5);
        continue;
      }
      const v = values[ry * region.width + rx] as number;
      const colour = turbo(v);
      const a = heatmapAlpha(v);
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round((pixels[i + c] as number) * (1 - a) + colour[c]! * a);
    }
  }
}
