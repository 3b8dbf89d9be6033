import type { Curve } from './result';

export interface Series {
  name: string;
  points: Array<[number, number]>;
  colour: string;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick steps (1, 2, 5 x 10^k) so axes read at a glance. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** A small line chart as SVG text (rendered to PNG by the bench with sharp). */
export function lineChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const pad = { left: 60, right: 150, top: 36, bottom: 44 };
  const pts = spec.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  let yMin = spec.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let yMax = spec.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (yMax === yMin) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const xSpan = xMax === xMin ? 1 : xMax - xMin;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const sx = (x: number): number => pad.left + ((x - xMin) / xSpan) * plotW;
  const sy = (y: number): number => pad.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${pad.left}" y="22" font-size="14" font-weight="bold">${esc(spec.title)}</text>`);
  for (const t of ticks(yMin, yMax)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(String(t))}</text>`);
  }
  for (const t of ticks(xMin, xMax, Math.min(10, Math.max(1, Math.round(xSpan))))) {
    const x = sx(t).toFixed(1);
    parts.push(`<text x="${x}" y="${pad.top + plotH + 16}" text-anchor="middle">${esc(String(t))}</text>`);
  }
  parts.push(`<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  parts.push(
    `<text x="16" y="${pad.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${pad.top + plotH / 2})">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      for (const [x, y] of s.points) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.colour}"/>`);
    }
    const ly = pad.top + 10 + i * 18;
    const lx = pad.left + plotW + 12;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function seriesOf(curve: Curve, key: 'acc' | 'valAcc' | 'loss' | 'valLoss'): Array<[number, number]> {
  return curve.epochs.flatMap((e) => {
    const v = e[key];
    return typeof v === 'number' && Number.isFinite(v) ? [[e.epoch, v] as [number, number]] : [];
  });
}

/** Accuracy (train dashed, validation solid) of every run, one colour per run. */
export function accuracyChart(curves: Curve[]): ChartSpec {
  return {
    title: 'Training curves: accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yMin: 0.4,
    yMax: 1,
    series: curves.flatMap((c, i) => [
      { name: `${c.label} val`, points: seriesOf(c, 'valAcc'), colour: COLOURS[i % COLOURS.length]! },
      { name: `${c.label} train`, points: seriesOf(c, 'acc'), colour: COLOURS[i % COLOURS.length]!, dashed: true },
    ]),
  };
}

export function lossChart(curves: Curve[]): ChartSpec {
  return {
    title: 'Training curves: loss per epoch',
    xLabel: 'epoch',
    yLabel: 'loss',
    yMin: 0,
    series: curves.flatMap((c, i) => [
      { name: `${c.label} val`, points: seriesOf(c, 'valLoss'), colour: COLOURS[i % COLOURS.length]! },
      { name: `${c.label} train`, points: seriesOf(c, 'loss'), colour: COLOURS[i % COLOURS.length]!, dashed: true },
    ]),
  };
}
