/** Spacing of the thumbnail grid, in CSS pixels. */
export const GRID = { minTile: 128, gap: 10, pad: 14, overscanRows: 3 } as const;

/** Faster than ~3 screens a second is flinging, not reading; this long without a scroll event is settled. */
const FLING_SCREENS_PER_SECOND = 3;
const SETTLE_MS = 90;

export interface GridRow {
  index: number;
  top: number;
  /** The row's items are start..end-1 of the list. */
  start: number;
  end: number;
}

/**
 * The virtualised thumbnail grid's geometry: how many columns fit the viewport, how big a tile is,
 * and which rows exist in the DOM (only those near the viewport, so thousands of images cost what a
 * screenful costs). The component binds the viewport's size and reports its scrolling.
 */
export class GridGeometry {
  readonly #count: () => number = () => 0;
  width = $state(0);
  height = $state(0);
  scrollTop = $state(0);
  /** True while the user flings through the grid: tiles wait to request thumbnails until it settles. */
  flinging = $state(false);

  readonly columns = $derived(Math.max(1, Math.floor((this.width - 2 * GRID.pad + GRID.gap) / (GRID.minTile + GRID.gap))));
  readonly tile = $derived(Math.max(48, Math.floor((this.width - 2 * GRID.pad - (this.columns - 1) * GRID.gap) / this.columns)));
  readonly rowHeight = $derived(this.tile + GRID.gap);
  readonly rowCount = $derived(Math.ceil(this.#count() / this.columns));
  readonly totalHeight = $derived(this.rowCount ? 2 * GRID.pad + this.rowCount * this.rowHeight - GRID.gap : 0);
  /** The rows the viewport shows (without overscan): their thumbnails are fetched first. */
  readonly firstVisibleRow = $derived(Math.max(0, Math.floor((this.scrollTop - GRID.pad) / this.rowHeight)));
  readonly lastVisibleRow = $derived(Math.min(this.rowCount - 1, Math.ceil((this.scrollTop + this.height - GRID.pad) / this.rowHeight)));
  readonly rows = $derived.by(() => {
    const first = Math.max(0, this.firstVisibleRow - GRID.overscanRows);
    const last = Math.min(this.rowCount - 1, this.lastVisibleRow + GRID.overscanRows);
    const out: GridRow[] = [];
    for (let r = first; r <= last; r++) {
      out.push({ index: r, top: this.#rowTop(r), start: r * this.columns, end: Math.min(this.#count(), (r + 1) * this.columns) });
    }
    return out;
  });

  #lastScroll = { top: 0, time: 0 };
  #settleTimer: ReturnType<typeof setTimeout> | undefined;

  /** `count` says how many items the grid lists; read reactively. */
  constructor(count: () => number) {
    this.#count = count;
  }

  #rowTop(row: number): number {
    return GRID.pad + row * this.rowHeight;
  }

  /** Rows that fit the viewport: how far Page Up / Page Down move. */
  pageRows(): number {
    return Math.max(1, Math.floor(this.height / this.rowHeight));
  }

  scrolled(top: number, now = performance.now()): void {
    const speed = Math.abs(top - this.#lastScroll.top) / Math.max(1, now - this.#lastScroll.time);
    this.#lastScroll = { top, time: now };
    this.scrollTop = top;
    if (speed > (FLING_SCREENS_PER_SECOND * this.height) / 1000) this.flinging = true;
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => (this.flinging = false), SETTLE_MS);
  }

  /** Where to scroll so item `index` is wholly on screen, or null when it already is. */
  scrollToShow(index: number, top: number): number | null {
    const tileTop = this.#rowTop(Math.floor(index / this.columns));
    if (tileTop < top) return tileTop - GRID.pad;
    if (tileTop + this.tile > top + this.height) return tileTop + this.tile - this.height + GRID.pad;
    return null;
  }
}
