import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  formatSpeedup,
  formatTarget,
  formatValue,
  mean,
  median,
  meetsTarget,
  min,
  percentile,
  ratio,
  speedup,
} from '../../bench/lib/stats';

describe('bench arithmetic', () => {
  it('median of odd and even counts, ignoring non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, Infinity, 3])).toBe(3);
    expect(median([])).toBeNull();
  });

  it('percentiles interpolate between ranks like numpy', () => {
    const xs = [10, 20, 30, 40, 50];
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 100)).toBe(50);
    expect(percentile(xs, 95)).toBeCloseTo(48);
    expect(percentile(xs, 25)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(() => percentile(xs, 101)).toThrow(/within \[0, 100\]/);
  });

  it('mean and min', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(min([4, 2, 9])).toBe(2);
    expect(mean([])).toBeNull();
  });

  it('ratio is ours/peer and refuses missing or zero peers', () => {
    expect(ratio(0.5, 0.14)).toBeCloseTo(3.5714, 3);
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(1, undefined)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('speedup points the right way for seconds and for rates', () => {
    // 0.5 s against the peer's 0.25 s per step: twice as slow.
    expect(speedup(0.5, 0.25, 'lower')).toBeCloseTo(0.5);
    // 120 img/s against 240 img/s: also twice as slow.
    expect(speedup(120, 240, 'higher')).toBeCloseTo(0.5);
    expect(speedup(300, 150, 'higher')).toBeCloseTo(2);
    expect(formatSpeedup(0.5)).toBe('2.00x slower');
    expect(formatSpeedup(2.5)).toBe('2.50x faster');
    expect(formatSpeedup(1.02)).toBe('about the same');
    expect(formatSpeedup(null)).toBe('—');
  });

  it('targets', () => {
    expect(meetsTarget(24, { op: '<=', value: 25 })).toBe(true);
    expect(meetsTarget(26, { op: '<=', value: 25 })).toBe(false);
    expect(meetsTarget(0.95, { op: '>=', value: 0.94 })).toBe(true);
    expect(meetsTarget(null, { op: '>=', value: 0.94 })).toBeNull();
    expect(formatTarget({ op: '<=', value: 300 }, 'ms')).toBe('≤ 300 ms');
  });

  it('formats three significant digits and units', () => {
    expect(formatNumber(0.14321)).toBe('0.143');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(245.6)).toBe('246');
    expect(formatNumber(3000.4)).toBe('3,000');
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatValue(0.9512, 'accuracy')).toBe('0.951');
    expect(formatValue(48.2, 'img/s')).toBe('48.2 img/s');
    expect(formatValue(3.2e-7, 'plain')).toBe('3.20e-7');
    expect(formatValue(null, 's')).toBe('—');
  });
});
