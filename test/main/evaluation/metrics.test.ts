import { describe, expect, test } from 'vitest';
import { evaluatePredictions, meanAndStd, rocCurve, stratifiedFolds } from '../../../src/main/evaluation';

// Ten predictions over three classes, worked out by hand:
// predicted = [0,0,1,1,2,2,0,2,2,1]; true = [0,0,0,1,1,2,2,2,2,1].
const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1];
const probs = [
  [0.7, 0.2, 0.1],
  [0.5, 0.4, 0.1],
  [0.2, 0.6, 0.2],
  [0.1, 0.8, 0.1],
  [0.3, 0.3, 0.4],
  [0.1, 0.1, 0.8],
  [0.6, 0.2, 0.2],
  [0.2, 0.2, 0.6],
  [0.25, 0.25, 0.5],
  [0.1, 0.7, 0.2],
];

describe('metrics on a fixed prediction set', () => {
  const m = evaluatePredictions(probs, labels, ['a', 'b', 'c']);

  test('confusion matrix rows are true classes, columns predicted', () => {
    expect(m.confusion).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 3],
    ]);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.count).toBe(10);
  });

  test('per-class precision, recall, F1 and support', () => {
    // a: tp 2 of 3 predicted-as-a, 3 true a; b: 2 of 3, 3 true; c: 3 of 4 predicted, 4 true.
    expect(m.perClass.map((c) => c.support)).toEqual([3, 3, 4]);
    const expected = [
      [2 / 3, 2 / 3, 2 / 3],
      [2 / 3, 2 / 3, 2 / 3],
      [0.75, 0.75, 0.75],
    ];
    m.perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(expected[i]![0]!, 12);
      expect(c.recall).toBeCloseTo(expected[i]![1]!, 12);
      expect(c.f1).toBeCloseTo(expected[i]![2]!, 12);
    });
    expect(m.macro.f1).toBeCloseTo((2 / 3 + 2 / 3 + 0.75) / 3, 12);
  });

  test('loss is the mean cross-entropy of the true class', () => {
    // -(ln .7 + ln .5 + ln .2 + ln .8 + ln .3 + ln .8 + ln .2 + ln .6 + ln .5 + ln .7) / 10
    expect(m.loss).toBeCloseTo(0.7479607, 6);
    expect(m.roc).toBeNull();
    expect(m.auc).toBeNull();
  });

  test('precision of a class never predicted is 0, not NaN', () => {
    const r = evaluatePredictions(
      [
        [0.9, 0.1],
        [0.8, 0.2],
      ],
      [0, 1],
      ['x', 'y'],
    );
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
  });
});

describe('ROC and AUC for binary problems', () => {
  test('curve points and area by hand', () => {
    const r = rocCurve([0.9, 0.8, 0.7, 0.6, 0.55, 0.4], [true, true, false, true, false, false]);
    expect(r?.roc.fpr).toEqual([0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
    expect(r?.roc.tpr).toEqual([0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1]);
    // 8 of the 9 positive/negative pairs are ordered correctly.
    expect(r?.auc).toBeCloseTo(8 / 9, 12);
  });

  test('ties share one point; one class only gives no curve', () => {
    expect(rocCurve([0.5, 0.5], [true, false])?.auc).toBeCloseTo(0.5, 12);
    expect(rocCurve([0.5, 0.4], [true, true])).toBeNull();
  });

  test('binary evaluation carries roc and auc with the second class positive', () => {
    const r = evaluatePredictions(
      [
        [0.1, 0.9],
        [0.3, 0.7],
        [0.6, 0.4],
        [0.8, 0.2],
      ],
      [1, 0, 1, 0],
      ['cats', 'dogs'],
    );
    expect(r.roc?.positive).toBe('dogs');
    expect(r.auc).toBeCloseTo(0.75, 12);
  });
});

describe('k-fold assignment', () => {
  const items = [
    ...Array.from({ length: 23 }, () => ({ label: 0, split: 'train' as const })),
    ...Array.from({ length: 11 }, () => ({ label: 1, split: 'validation' as const })),
    ...Array.from({ length: 7 }, () => ({ label: 1, split: 'train' as const })),
    ...Array.from({ length: 5 }, (_, i) => ({ label: i % 2, split: 'test' as const })),
  ];

  test('folds are disjoint, stratified, cover every non-test image once, never the test split', () => {
    const k = 5;
    const fold = stratifiedFolds(items, k, 42);
    items.forEach((item, i) => {
      if (item.split === 'test') expect(fold[i]).toBe(-1);
      else expect(fold[i]).toBeGreaterThanOrEqual(0);
    });
    for (const label of [0, 1]) {
      const total = items.filter((it) => it.label === label && it.split !== 'test').length;
      const perFold = Array.from({ length: k }, (_, f) => items.filter((it, i) => it.label === label && fold[i] === f).length);
      expect(perFold.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    const sizes = Array.from({ length: k }, (_, f) => fold.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(stratifiedFolds(items, k, 42)).toEqual(fold);
    expect(stratifiedFolds(items, k, 43)).not.toEqual(fold);
  });

  test('a class smaller than k is refused with its name', () => {
    expect(() =>
      stratifiedFolds(
        [
          { label: 0, split: 'train' },
          { label: 1, split: 'train' },
          { label: 1, split: 'train' },
        ],
        2,
        1,
        ['cats', 'dogs'],
      ),
    ).toThrow(/class cats has 1 images/);
  });

  test('mean and sample standard deviation', () => {
    const r = meanAndStd([0.8, 0.9, 1.0]);
    expect(r.mean).toBeCloseTo(0.9, 12);
    expect(r.std).toBeCloseTo(0.1, 12);
  });
});
