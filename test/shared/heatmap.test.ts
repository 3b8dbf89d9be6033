import { describe, expect, it } from 'vitest';
import { blendHeatmap, heatmapAlpha, seenRegion, turbo, upsampleGrid } from '@shared/heatmap';

describe('drawing a Grad-CAM grid (shared by lds explain and the window)', () => {
  it('turbo runs from dark blue to dark red; nonsense reads as no evidence', () => {
    const [r0, , b0] = turbo(0.1);
    const [r1, , b1] = turbo(0.9);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(turbo(Number.NaN)).toEqual(turbo(0));
    expect(turbo(7)).toEqual(turbo(1));
  });

  it('upsampling is bilinear with cell centres aligned and edges clamped', () => {
    expect(Array.from(upsampleGrid([0, 1], 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
    // Rows and columns are not swapped: a 1-wide, 2-high grid varies down the picture.
    expect(Array.from(upsampleGrid([0, 1], 1, 2, 2, 2))).toEqual([0, 0, 1, 1]);
  });

  it('centre-crop: only the centred square carries the map; the margins the model never saw are dimmed', () => {
    expect(seenRegion(300, 200, 'centre-crop')).toEqual({ left: 50, top: 0, width: 200, height: 200 });
    expect(seenRegion(300, 200, 'stretch')).toEqual({ left: 0, top: 0, width: 300, height: 200 });
    const pixels = new Uint8Array(4 * 2 * 3).fill(200);
    blendHeatmap(pixels, 4, 2, 3, { grid: [1], gridWidth: 1, gridHeight: 1, fit: 'centre-crop' });
    const at = (x: number, y: number): number[] => Array.from(pixels.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(at(0, 0)).toEqual([100, 100, 100]);
    expect(at(3, 1)).toEqual([100, 100, 100]);
    const a = heatmapAlpha(1);
    expect(at(1, 0)).toEqual(turbo(1).map((c) => Math.round(200 * (1 - a) + c * a)));
  });
});
