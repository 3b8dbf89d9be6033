import { describe, expect, test } from 'vitest';
import { confidentClass, confidentLearning, normalisedMargin, perClassThresholds } from '../../../src/main/evaluation/confident-learning';

// Worked by hand: 3 classes, 7 images; b is really a 1 labelled 0, g really a 0 labelled 2.
const probs = [
  [0.9, 0.1, 0.0], // a, labelled 0
  [0.2, 0.7, 0.1], // b, labelled 0
  [0.1, 0.8, 0.1], // c, labelled 1
  [0.3, 0.6, 0.1], // d, labelled 1
  [0.1, 0.1, 0.8], // e, labelled 2
  [0.4, 0.3, 0.3], // f, labelled 2
  [0.85, 0.05, 0.1], // g, labelled 2
];
const labels = [0, 0, 1, 1, 2, 2, 2];

describe('confident learning on a hand-worked example', () => {
  test('thresholds are the mean probability of each class over the images labelled with it', () => {
    const t = perClassThresholds(probs, labels, 3);
    // t0 = (0.9 + 0.2) / 2, t1 = (0.8 + 0.6) / 2, t2 = (0.8 + 0.3 + 0.1) / 3
    expect(t[0]).toBeCloseTo(0.55, 12);
    expect(t[1]).toBeCloseTo(0.7, 12);
    expect(t[2]).toBeCloseTo(0.4, 12);
  });

  test('the confident joint counts each image at [given][most likely class above its threshold]', () => {
    const r = confidentLearning(probs, labels, 3);
    // b: only p1 = 0.7 reaches t1 = 0.7 (exactly at the mean counts); d and f reach no threshold.
    expect(r.confidentClass).toEqual([0, 1, 1, -1, 2, -1, 0]);
    expect(r.joint).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
  });

  test('off-diagonal images are the issues, ranked by self-confidence, with the suggested class', () => {
    const r = confidentLearning(probs, labels, 3);
    expect(r.issues.map((i) => [i.index, i.given, i.suggested])).toEqual([
      [6, 2, 0],
      [1, 0, 1],
    ]);
    expect(r.issues[0]?.score).toBeCloseTo(0.9, 12);
    expect(r.issues[1]?.score).toBeCloseTo(0.8, 12);
    expect(r.issues[0]?.margin).toBeCloseTo(0.125, 12);
    expect(r.issues[1]?.margin).toBeCloseTo(0.25, 12);
  });

  test('images that reach no class threshold stay out of the joint and are no issues', () => {
    const r = confidentLearning(probs, labels, 3);
    // d (0.3 < 0.55, 0.6 < 0.7, 0.1 < 0.4) and f (0.4 < 0.55, 0.3 < 0.7, 0.3 < 0.4) fit no class confidently.
    expect(r.confidentClass[5]).toBe(-1);
    expect(r.confidentClass[3]).toBe(-1);
    expect(r.issues.map((i) => i.index)).not.toContain(5);
    expect(r.issues.map((i) => i.index)).not.toContain(3);
  });

  test('a clean dataset has no issues; helpers behave at the edges', () => {
    const clean = confidentLearning(
      [
        [0.9, 0.1],
        [0.8, 0.2],
        [0.1, 0.9],
        [0.3, 0.7],
      ],
      [0, 0, 1, 1],
      2,
    );
    expect(clean.issues).toEqual([]);
    expect(confidentClass([0.5, 0.5], [0.9, 0.9])).toBe(-1);
    expect(normalisedMargin([0.2, 0.8], 0)).toBeCloseTo(0.2, 12);
    // A class nobody is labelled with gets threshold 1.
    expect(perClassThresholds([[0.6, 0.4]], [0], 2)).toEqual([0.6, 1]);
  });

  test('malformed input is refused with a clear message', () => {
    expect(() => confidentLearning([[0.5, 0.5]], [0, 1], 2)).toThrow('1 probability rows for 2 labels');
    expect(() => confidentLearning([[0.5, 0.5]], [2], 2)).toThrow('label 2, outside 0..1');
    expect(() => confidentLearning([[1]], [0], 1)).toThrow('at least 2 classes');
    expect(() => confidentLearning([[0.2, 0.3, 0.5]], [0], 2)).toThrow('row 0 has 3 probabilities');
  });
});
