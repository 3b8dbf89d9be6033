import { describe, expect, test } from 'vitest';
import { adviseMode, KEEP_LARGE_PER_CLASS, LARGE_PER_CLASS, withinInterval } from '../../../../src/main/training/host/mode-advice';

const facts = (smallest: number, largeBefore: boolean, finishedBottleneck: string | null = 'run-1') => ({
  trainPerClass: [smallest, 1200],
  backboneAvailable: true,
  finishedBottleneck,
  largeBefore,
});

describe('the mode advice near the large-data line (issue 16, item 17)', () => {
  test('it states the threshold, in the small-data reason too', () => {
    const advice = adviseMode(facts(994, false));
    expect(advice.recommended).toBe('bottleneck');
    expect(advice.reason).toContain(`fine-tuning pays off from ${LARGE_PER_CLASS} per class`);
    expect(advice.large).toBe(false);
  });

  test('1000 → 994 images in one class does not flip a recommendation made on large data', () => {
    const before = adviseMode(facts(1000, false));
    expect(before.recommended).toBe('finetune');
    expect(before.large).toBe(true);
    const after = adviseMode(facts(994, before.large ?? false));
    expect(after.recommended).toBe('finetune');
    expect(after.reason).toContain(`stays large down to ${KEEP_LARGE_PER_CLASS}`);
  });

  test('below the lower line it does flip, and without the memory 994 stays small', () => {
    expect(adviseMode(facts(KEEP_LARGE_PER_CLASS - 1, true)).recommended).toBe('bottleneck');
    expect(adviseMode(facts(KEEP_LARGE_PER_CLASS, true)).recommended).toBe('finetune');
    expect(adviseMode(facts(994, false)).recommended).toBe('bottleneck');
  });
});

const large = { trainPerClass: [1200, 1100], backboneAvailable: true, finishedBottleneck: 'b1' };

describe('auto prefers the simpler mode when the difference is inside the interval', () => {
  test('within the 95% Wilson interval of the bottleneck accuracy', () => {
    // 0.874 on 100 images (87 correct): 95% interval 0.79–0.92.
    expect(withinInterval(0.874, 0.893, 100)).toBe(true);
    expect(withinInterval(0.874, 0.95, 100)).toBe(false);
    expect(withinInterval(0.874, 0.893, 10000)).toBe(false);
  });

  test('a fine-tune no better than noise sends auto back to bottleneck, a clear gain keeps fine-tune', () => {
    const close = adviseMode({ ...large, finishedFinetune: { id: 'f1', valAccuracy: 0.893, parentValAccuracy: 0.874, valCount: 100 } });
    expect(close.recommended).toBe('bottleneck');
    expect(close.reason).toContain('inside its 95% interval (0.79–0.92, n=100)');
    const clear = adviseMode({ ...large, finishedFinetune: { id: 'f1', valAccuracy: 0.96, parentValAccuracy: 0.874, valCount: 400 } });
    expect(clear.recommended).toBe('finetune');
    expect(adviseMode(large).recommended).toBe('finetune');
  });
});
