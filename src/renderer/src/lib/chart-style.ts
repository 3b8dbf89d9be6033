import type uPlot from 'uplot';

/** A theme token's current value; charts draw on canvas, so CSS variables must be read, not referenced. */
export function cssColour(name: string, fallback = '#2f5fd0'): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Epochs are whole numbers: uPlot's default increments would label 1.2, 1.4, … */
const EPOCH_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000];

/** Axis colours from the theme (uPlot's defaults are black on transparent: invisible in dark mode). */
export function themedAxis(extra: uPlot.Axis = {}): uPlot.Axis {
  const line = { stroke: cssColour('--border', '#dcdfe5'), width: 1 };
  return { stroke: cssColour('--text-muted', '#545b68'), grid: line, ticks: line, ...extra };
}

export function epochAxis(): uPlot.Axis {
  return themedAxis({ label: 'epoch', incrs: EPOCH_INCRS, values: (_u, splits) => splits.map((v) => String(v)) });
}

/** The legend names the series; with no cursor over the chart its live values would all read "--". */
export const STATIC_LEGEND: uPlot.Legend = { live: false };

/**
 * Accuracy scaled to the data, not fixed at 0–1 (curves between 0.96 and 0.99 would overlap), with a
 * little room above and below, clamped to 0–1. Before the first epoch: 0–1, so the axes show.
 */
export function accuracyRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = Math.max(0.01, (max - min) * 0.15);
  return [Math.max(0, Math.floor((min - pad) * 100) / 100), Math.min(1, Math.ceil((max + pad) * 100) / 100)];
}

/** Loss from 0 up to a little above the largest value; 0–1 before the first epoch. */
export function lossRange(_u: uPlot, _min: number | null, max: number | null): uPlot.Range.MinMax {
  if (max === null || !Number.isFinite(max)) return [0, 1];
  return [0, max > 0 ? max * 1.08 : 1];
}

/** The epochs drawn (at least two apart, so one epoch is not a zero-width axis); 1–5 before the first. */
export function epochRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [1, 5];
  return [min, Math.max(max, min + 1)];
}
