/** The bench's arithmetic: kept pure so test/bench can check it on canned numbers. */

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

/** Linear interpolation between closest ranks (numpy's default), p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number | null {
  if (p < 0 || p > 100 || !Number.isFinite(p)) throw new RangeError(`percentile: p must be within [0, 100], got ${p}`);
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

export function mean(values: readonly number[]): number | null {
  const xs = finite(values);
  return xs.length === 0 ? null : xs.reduce((s, v) => s + v, 0) / xs.length;
}

export function min(values: readonly number[]): number | null {
  const xs = finite(values);
  return xs.length === 0 ? null : Math.min(...xs);
}

/** ours / peer, or null when either side is missing or the peer's figure is zero. */
export function ratio(ours: number | null | undefined, peer: number | null | undefined): number | null {
  if (ours == null || peer == null || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return null;
  return ours / peer;
}

export type Better = 'lower' | 'higher';

/**
 * How many times faster (> 1) or slower (< 1) we are than the peer, whichever way the unit points:
 * for seconds lower is better, so 2 s vs 1 s is 0.5x; for images/s 100 vs 50 is 2x.
 */
export function speedup(ours: number | null | undefined, peer: number | null | undefined, better: Better): number | null {
  const r = ratio(ours, peer);
  if (r == null || r === 0) return null;
  return better === 'higher' ? r : 1 / r;
}

export interface Target {
  op: '<=' | '>=';
  value: number;
}

export function meetsTarget(value: number | null | undefined, target: Target): boolean | null {
  if (value == null || !Number.isFinite(value)) return null;
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

/** Three significant digits, without exponent notation for the magnitudes a bench meets. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(abs)));
  return value.toFixed(digits);
}

export type Unit = 's' | 'ms' | 'img/s' | 'MiB' | 'accuracy' | 'tensors' | 'count' | 'x' | 'plain';

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value == null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'accuracy':
      return value.toFixed(3);
    case 'tensors':
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'x':
      return `${formatNumber(value)}x`;
    case 'plain':
      return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(2) : formatNumber(value);
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

/** "2.1x faster" / "3.4x slower" / "same" for a speedup factor. */
export function formatSpeedup(factor: number | null): string {
  if (factor == null) return '—';
  if (Math.abs(factor - 1) < 0.05) return 'about the same';
  return factor > 1 ? `${formatNumber(factor)}x faster` : `${formatNumber(1 / factor)}x slower`;
}

export function formatTarget(target: Target, unit: Unit): string {
  return `${target.op === '<=' ? '≤' : '≥'} ${formatValue(target.value, unit)}`;
}

export function bytesToMiB(bytes: number): number {
  return bytes / (1024 * 1024);
}
