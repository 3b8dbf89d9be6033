import { describe, expect, test } from 'vitest';
import { accuracyInterval, formatAccuracy, intervalNote, wilsonInterval } from '../../src/shared/wilson';

// Reference values from scipy.stats.binomtest(k, n).proportion_ci(method='wilson').
describe('Wilson 95% interval', () => {
  test.each([
    [89, 100, 0.8136870349691969, 0.9374580364293543],
    [0, 10, 0, 0.27753279986288926],
    [10, 10, 0.7224672001371109, 1],
    [5, 10, 0.236593090512564, 0.7634069094874361],
    [844, 1000, 0.8201985055513945, 0.8651686846105435],
  ])('%i of %i correct', (k, n, low, high) => {
    const [l, h] = wilsonInterval(k, n);
    expect(l).toBeCloseTo(low, 10);
    expect(h).toBeCloseTo(high, 10);
  });

  test('accuracy on n images, formatted as the studio shows it', () => {
    expect(accuracyInterval(0.89, 100)[0]).toBeCloseTo(0.8136870349691969, 10);
    expect(formatAccuracy(0.893, 100)).toBe('0.893 (0.81–0.94, n=100)');
    expect(formatAccuracy(0.5, 0)).toBe('0.500');
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});

describe('the interval beside a percentage', () => {
  test('one decimal, the image count, nothing without images', () => {
    expect(intervalNote(0.89, 100)).toBe('(81.4–93.7%, n=100)');
    expect(intervalNote(0.89, null)).toBe('');
  });
});
