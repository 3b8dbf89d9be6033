import { describe, expect, it } from 'vitest';
import { seededRandom, shuffled } from '@shared/random';

describe('seededRandom', () => {
  it('repeats the same stream for the same seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(xs[0]);
  });

  it('keeps the mulberry32 values that saved runs and folds depend on', () => {
    const r = seededRandom(1);
    expect([r(), r(), r()].map((x) => x.toFixed(8))).toEqual(['0.62707394', '0.00273572', '0.52744704']);
  });
});

describe('shuffled', () => {
  it('returns a permutation of 0..n-1', () => {
    const order = shuffled(50, seededRandom(3));
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
