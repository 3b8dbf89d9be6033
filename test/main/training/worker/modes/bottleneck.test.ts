import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../../../../src/main/engine/engine';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../../fixtures';

// 40 training and 20 validation images per class: small enough for 2 cores, real enough to learn.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  tmp = tempDir('bottleneck');
  engine = await engineWithCatsDogs(tmp.dir, 40, 20);
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('bottleneck and fine-tune runs', () => {
  let bottleneckId = '';

  test('fine-tune refuses to start without a trained head', async () => {
    await expect(engine.call('train.start', { mode: 'finetune' })).rejects.toThrow(/finished bottleneck run/);
    await expect(engine.call('train.start', { mode: 'finetune', from: 'no-such-run' })).rejects.toThrow(/no run "no-such-run"/);
  });

  test('a bottleneck run trains, records each epoch as it comes, saves a model, and beats chance', async () => {
    const { run, epochs } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 8, seed: 3 });
    bottleneckId = run.id;
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.backend).toBe('wasm');
    expect(epochs).toHaveLength(8);
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.valAccuracy).toBeGreaterThan(0.75);
    expect(run.metrics).toMatchObject({ featuresComputed: 120, featuresFromCache: 0, numTensors: 0 });
    expect(run.modelDir).not.toBeNull();
    const meta = JSON.parse(readFileSync(join(run.modelDir as string, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      labels: ['cats', 'dogs'],
      mode: 'bottleneck',
      preprocessing: { inputSize: 224, mode: 'tf', resize: 'bilinear' },
      backbone: { id: 'mobilenet_v2_0.35_224' },
    });
    expect(existsSync(join(run.modelDir as string, 'weights.bin'))).toBe(true);
  });

  test('a second run with the same backbone computes no features', async () => {
    const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 2, seed: 4 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.metrics).toMatchObject({ featuresComputed: 0, featuresFromCache: 120 });
  });

  test('fine-tune from the bottleneck run trains the top block and stays above chance', async () => {
    const { run } = await trainToEnd(engine, { mode: 'finetune', from: bottleneckId, epochs: 2, cacheVariants: 1 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.parentRun).toBe(bottleneckId);
    expect(run.valAccuracy).toBeGreaterThan(0.7);
    expect(run.metrics).toMatchObject({ numTensors: 0 });
    const runs = await engine.call('runs.list', {});
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });
});
