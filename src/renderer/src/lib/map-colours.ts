import type { ClassInfo, ImageItem, Split } from '@shared/contract';

export const MAP_COLOUR_MODES = ['class', 'split', 'prediction', 'issues'] as const;
export type MapColourMode = (typeof MAP_COLOUR_MODES)[number];

/** What a point's colour means, for the legend. */
export interface LegendEntry {
  label: string;
  colour: string;
  count: number;
}

export interface MapColouring {
  /** Category per point (index into palette), in the points' order. */
  categories: number[];
  palette: string[];
  legend: LegendEntry[];
}

/** Split colours chosen to stay apart for the common colour-vision deficiencies (Okabe-Ito). */
const SPLIT_COLOURS: Record<Split, string> = { train: '#0072b2', validation: '#e69f00', test: '#cc79a7', unassigned: '#999999' };
const NONE = '#9aa0a8';

/** The last label-issues report as the map needs it: which images it flagged, and which it scored at all. */
export interface MapIssues {
  /** Likely mislabelled: the suggested class and the score. */
  issues: ReadonlyMap<number, { suggested: string; score: number }>;
  /** Fit no class well. */
  outliers: ReadonlySet<number>;
}

export interface MapColourSources {
  images: ReadonlyMap<number, ImageItem>;
  classes: readonly ClassInfo[];
  /** Image id → the class the selected run predicted (only images it scored have one). */
  predictions: ReadonlyMap<number, string> | null;
  issues: MapIssues | null;
}

const ISSUE_COLOURS = { issue: '#d55e00', outlier: '#e69f00', fine: '#56b4e9' };

/** Colours the map's points; what a mode has no data for (unscored, unlabelled) is grey. */
export function colourPoints(mode: MapColourMode, ids: readonly number[], sources: MapColourSources): MapColouring {
  const { images, classes, predictions, issues } = sources;
  const sorted = [...classes].sort((a, b) => a.position - b.position);
  if (mode === 'issues') {
    // Labelled images were all scored by the search; unlabelled ones (and a missing report) were not.
    const categories = ids.map((id) => {
      if (!issues) return 3;
      if (issues.issues.has(id)) return 0;
      if (issues.outliers.has(id)) return 1;
      return images.get(id)?.classId == null ? 3 : 2;
    });
    return withLegend(
      categories,
      [ISSUE_COLOURS.issue, ISSUE_COLOURS.outlier, ISSUE_COLOURS.fine, NONE],
      ['likely mislabelled', 'fits no class well', 'label looks right', 'not scored'],
    );
  }
  if (mode === 'split') {
    const splits = Object.keys(SPLIT_COLOURS) as Split[];
    const categories = ids.map((id) => {
      const split = images.get(id)?.split ?? 'unassigned';
      return splits.indexOf(split);
    });
    return withLegend(
      categories,
      splits.map((s) => SPLIT_COLOURS[s]),
      splits.map((s) => (s === 'unassigned' ? 'no split' : s)),
    );
  }
  const palette = [...sorted.map((c) => c.colour), NONE];
  const other = sorted.length;
  if (mode === 'class') {
    const index = new Map(sorted.map((c, i) => [c.id, i]));
    const categories = ids.map((id) => {
      const classId = images.get(id)?.classId;
      return classId == null ? other : (index.get(classId) ?? other);
    });
    return withLegend(categories, palette, [...sorted.map((c) => c.name), 'unlabelled']);
  }
  const byName = new Map(sorted.map((c, i) => [c.name, i]));
  const categories = ids.map((id) => {
    const predicted = predictions?.get(id);
    return predicted === undefined ? other : (byName.get(predicted) ?? other);
  });
  return withLegend(categories, palette, [...sorted.map((c) => `predicted ${c.name}`), 'not scored']);
}

function withLegend(categories: number[], palette: string[], labels: string[]): MapColouring {
  const counts = new Array<number>(palette.length).fill(0);
  for (const c of categories) counts[c] = (counts[c] ?? 0) + 1;
  // regl-scatterplot needs a colour per category; an empty one still keeps its slot.
  const legend = labels.map((label, i) => ({ label, colour: palette[i] ?? NONE, count: counts[i] ?? 0 })).filter((e) => e.count > 0);
  return { categories, palette, legend };
}
