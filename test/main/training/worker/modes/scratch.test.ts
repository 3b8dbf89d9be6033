import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../../../../src/main/engine/engine';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../../fixtures';

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  tmp = tempDir('scratch');
  engine = await engineWithCatsDogs(tmp.dir, 60, 30);
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('scratch and auto runs', () => {
  test('auto picks bottleneck for small data and says why', async () => {
    const advice = await engine.call('train.advice', {});
    expect(advice).toMatchObject({ recommended: 'bottleneck', imagesPerClass: 60, backboneAvailable: true, finetuneFrom: null });
    expect(advice.reason).toMatch(/60 training images per class is small data/);
    expect(advice.modes.find((m) => m.mode === 'finetune')).toMatchObject({
      available: false,
      why: expect.stringMatching(/bottleneck run/),
    });
  });

  test('the recipe CNN trains from scratch (small input, augmentation on the fly) and beats chance', async () => {
    // 32 px keeps this under half a minute on 2 cores; seeds make the outcome repeatable, and the
    // best-validation-loss epoch's weights are the ones kept.
    const { run, epochs } = await trainToEnd(engine, {
      mode: 'scratch',
      epochs: 30,
      inputSize: 32,
      batchSize: 16,
      augment: '{"horizontal_flip": true}',
      seed: 7,
      patience: 0,
    });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(epochs).toHaveLength(30);
    expect(run.valAccuracy).toBeGreaterThan(0.58);
    expect(run.metrics).toMatchObject({ numTensors: 0 });
    const meta = JSON.parse(readFileSync(join(run.modelDir as string, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      mode: 'scratch',
      labels: ['cats', 'dogs'],
      preprocessing: { inputSize: 32, mode: 'unit' },
      backbone: null,
    });
    expect(run.config).toMatchObject({ augmentPreset: '{"horizontal_flip": true}', inputSize: 32 });
  });
});
