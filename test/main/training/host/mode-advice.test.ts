import { describe, expect, test } from 'vitest';
import { adviseMode, KEEP_LARGE_PER_CLASS, LARGE_PER_CLASS } from '../../../../src/main/training/host/mode-advice';

const facts = (smallest: number, largeBefore: boolean, finishedBottleneck: string | null = 'run-1') => ({ trainPerClass: [smallest, 1200], backboneAvailable: true, finishedBottleneck, largeBefore });

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
