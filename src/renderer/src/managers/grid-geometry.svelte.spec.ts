import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GRID, GridGeometry } from './grid-geometry.svelte';

describe('GridGeometry', () => {
  let count = $state(0);
  let grid: GridGeometry;
  beforeEach(() => {
    count = 1000;
    grid = new GridGeometry(() => count);
    grid.width = 1000;
    grid.height = 600;
  });

  it('fits as many tiles of at least 128 px as the width allows and shares out the rest', () => {
    // (1000 - 28 + 10) / 138 = 7.1: seven columns, (1000 - 28 - 60) / 7 = 130 px tiles.
    expect([grid.columns, grid.tile, grid.rowHeight]).toEqual([7, 130, 140]);
    grid.width = 100;
    expect([grid.columns, grid.tile]).toEqual([1, 72]);
    grid.width = 0;
    expect(grid.tile).toBe(48);
  });

  it('is as tall as all rows, and follows the item count', () => {
    expect(grid.rowCount).toBe(143);
    expect(grid.totalHeight).toBe(2 * GRID.pad + 143 * 140 - GRID.gap);
    count = 0;
    expect([grid.rowCount, grid.totalHeight, grid.rows]).toEqual([0, 0, []]);
  });

  it('puts only the rows near the viewport in the DOM, each with its slice of the list', () => {
    const indices = () => grid.rows.map((r) => r.index);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    grid.scrollTop = 0;
    // Rows 0..4 meet the 600 px viewport (row 4 starts at 574); one more, then three of overscan.
    expect(indices()).toEqual(range(0, 8));
    expect(grid.rows[1]).toEqual({ index: 1, top: GRID.pad + 140, start: 7, end: 14 });
    // Scrolled to row 100's top edge: row 99's padding still shows, three above it.
    grid.scrollTop = GRID.pad + 140 * 100;
    expect(indices()).toEqual(range(97, 108));
    grid.scrollTop = grid.totalHeight - grid.height;
    const last = grid.rows.at(-1)!;
    expect([last.index, last.start, last.end]).toEqual([142, 994, 1000]);
  });

  it('pages by whole rows and scrolls just enough to show the cursor', () => {
    expect(grid.pageRows()).toBe(4);
    // Item 7 starts row 1 at 154 px: on screen from the top.
    expect(grid.scrollToShow(7, 0)).toBeNull();
    // Item 70 is row 10 at 1414 px: scroll so its bottom edge shows, with the padding below.
    expect(grid.scrollToShow(70, 0)).toBe(1414 + 130 - 600 + GRID.pad);
    // Scrolled past it: bring its top back, with the padding above.
    expect(grid.scrollToShow(7, 1000)).toBe(154 - GRID.pad);
  });

  describe('flinging', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('is on while scrolling faster than three screens a second, and off once scrolling settles', () => {
      // The threshold: 3 screens of 600 px a second is 1.8 px per millisecond.
      grid.scrolled(100, 1000);
      expect(grid.flinging).toBe(false);
      grid.scrolled(280, 1100);
      expect(grid.flinging).toBe(false);
      grid.scrolled(2280, 1200);
      expect(grid.flinging).toBe(true);
      grid.scrolled(2210, 1250);
      vi.advanceTimersByTime(89);
      expect(grid.flinging).toBe(true);
      vi.advanceTimersByTime(1);
      expect(grid.flinging).toBe(false);
      expect(grid.scrollTop).toBe(2210);
    });
  });
});
