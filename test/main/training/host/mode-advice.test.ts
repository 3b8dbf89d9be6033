import { describe, expect, test } from 'vitest';
import { adviseMode, withinInterval } from '../../../../src/main/training/host/mode-advice';

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
