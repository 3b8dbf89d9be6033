import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_SPLIT_WARNING } from '@shared/contract';
import * as tf from '@tensorflow/tfjs';
import { ensureInferenceBackend } from '../../../src/main/training/worker/predict';
import type { Engine } from '../../../src/main/engine/engine';
import type { KfoldResult } from '../../../src/main/training/worker/kfold-bottleneck';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';

// 12 train + 4 validation per class; 3 of each class then moved to a locked test split.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
const testIds: number[] = [];

beforeAll(async () => {
  tmp = tempDir('kfold');
  engine = await engineWithCatsDogs(tmp.dir, 12, 4);
  const classes = await engine.call('library.classes', {});
  for (const c of classes) {
    const train = await engine.call('library.list', { classId: c.id, split: 'train' });
    testIds.push(...train.slice(0, 3).map((i) => i.id));
  }
  await engine.call('library.applySplits', { entries: testIds.map((imageId) => ({ imageId, split: 'test' as const })) });
}, 60_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('k-fold cross-validation', () => {
  test('after a bottleneck run, k folds reuse its cached features and never touch the test split', async () => {
    const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 2, seed: 1 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    let result = null as unknown as KfoldResult;
    const off = engine.events.on('job.finished', (job) => {
      if (job.kind === 'kfold') result = job.result as KfoldResult;
    });
    await ensureInferenceBackend();
    const tensors = tf.memory().numTensors;
    const { jobId } = await engine.call('kfold.start', { k: 4, epochs: 4, seed: 7 });
    const job = await engine.jobs.wait(jobId);
    off();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(job.status, job.error ?? '').toBe('succeeded');
    const manifest = engine.training().runs.manifest();
    const nonTest = manifest.items.filter((i) => i.split !== 'test').length;
    expect(nonTest).toBe(26);
    expect(result.images).toBe(26);
    // Every feature came from the cache the training run filled: test images were never even extracted.
    expect(result.featuresComputed).toBe(0);
    expect(result.featuresFromCache).toBe(26);
    expect(result.folds).toHaveLength(4);
    expect(result.folds.reduce((s, f) => s + f.testCount, 0)).toBe(26);
    result.folds.forEach((f) => expect(f.trainCount + f.testCount).toBe(26));
    const accuracies = result.folds.map((f) => f.accuracy);
    const mean = accuracies.reduce((s, a) => s + a, 0) / 4;
    expect(result.accuracy.mean).toBeCloseTo(mean, 12);
    // Sample standard deviation over the folds (n - 1), as the CLI prints it.
    expect(result.accuracy.std).toBeCloseTo(Math.sqrt(accuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / 3), 12);
    expect(result.accuracy.mean).toBeGreaterThan(0.5);
    // Fold membership: test items -1, others in 0..3, each class spread within one of even.
    manifest.items.forEach((item, i) => {
      if (item.split === 'test') expect(result.assignment[i]).toBe(-1);
      else expect(result.assignment[i]).toBeGreaterThanOrEqual(0);
    });
    for (const label of [0, 1]) {
      const perFold = [0, 1, 2, 3].map((f) => manifest.items.filter((it, i) => it.label === label && result.assignment[i] === f).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
  }, 90_000);

  test('the locked test split is evaluated only on request, with the warning every time', async () => {
    const runs = await engine.call('runs.list', {});
    const runId = runs.find((r) => r.status === 'succeeded')!.id;
    const { code, stdout, stderr } = await runLds(tmp.dir, ['eval', runId, '--split', 'test', '--json']);
    expect(code).toBe(0);
    const json = lastJson(stdout);
    expect(json).toMatchObject({ split: 'test', count: 6, warning: TEST_SPLIT_WARNING });
    const [low, high] = json.accuracyInterval as [number, number];
    expect(low).toBeLessThanOrEqual(json.accuracy);
    expect(high).toBeGreaterThanOrEqual(json.accuracy);
    expect(stderr).toContain(`warning: ${TEST_SPLIT_WARNING}`);
  }, 60_000);

  test('lds kfold --json prints per-fold numbers and mean ± std; other modes are refused', async () => {
    const { code, stdout, stderr } = await runLds(tmp.dir, ['kfold', '--mode', 'bottleneck', '--k', '3', '--epochs', '2', '--json']);
    expect(code, stderr).toBe(0);
    const json = lastJson(stdout);
    expect(json.folds).toHaveLength(3);
    expect(json).toMatchObject({ k: 3, images: 26, featuresComputed: 0 });
    expect(Object.keys(json.accuracy)).toEqual(['mean', 'std']);
    expect(json).not.toHaveProperty('assignment');
    expect((await runLds(tmp.dir, ['kfold', '--mode', 'scratch', '--k', '3'])).code).toBe(2);
    expect((await runLds(tmp.dir, ['kfold', '--k', '1'])).code).toBe(2);
  }, 60_000);
});
