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
