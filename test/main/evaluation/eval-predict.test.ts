import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EvalReport } from '@shared/contract';
import type { Engine } from '../../../src/main/engine/engine';
import { ensureInferenceBackend, loadModelForPrediction, predictFiles } from '../../../src/main/training/worker/predict';
import { CATS_DOGS, engineWithCatsDogs, tempDir, trainToEnd } from '../training/fixtures';
import { lastJson, runLds, type CliResult } from './cli-capture';

// 20 training and 10 validation images per class, a short bottleneck run: enough to score above chance.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let runId = '';

beforeAll(async () => {
  tmp = tempDir('eval');
  engine = await engineWithCatsDogs(tmp.dir, 20, 10);
  const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 6, seed: 5 });
  if (run.status !== 'succeeded') throw new Error(run.error ?? 'training failed');
  runId = run.id;
}, 120_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

const cli = (args: string[]): Promise<CliResult> => runLds(tmp.dir, args);

describe('evaluation of a finished run', () => {
  let report: EvalReport;

  test('eval.start is a job whose report has consistent metrics on the validation split', async () => {
    await ensureInferenceBackend();
    const before = tf.memory().numTensors;
    const { jobId } = await engine.call('eval.start', { runId });
    const job = await engine.jobs.wait(jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
    const view = await engine.call('eval.get', { runId, split: 'validation' });
    expect(view).not.toBeNull();
    report = view as EvalReport;
    expect(tf.memory().numTensors).toBe(before);
    expect(report).toMatchObject({ split: 'validation', warning: null, count: 20, skipped: 0, classes: ['cats', 'dogs'] });
    expect(report.accuracy).toBeGreaterThan(0.6);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(20);
    expect(report.perClass.map((c) => c.support)).toEqual([10, 10]);
    const correct = report.confusion[0]![0]! + report.confusion[1]![1]!;
    expect(report.accuracy).toBeCloseTo(correct / 20, 12);
    expect(report.auc).toBeGreaterThan(0.5);
    expect(report.roc?.fpr[0]).toBe(0);
    expect(report.roc?.tpr.at(-1)).toBe(1);
    // Highest loss first: the mistakes gallery reads from the top.
    const losses = report.items.map((i) => i.loss);
    expect([...losses].sort((a, b) => b - a)).toEqual(losses);
    expect((view as { relabelled: number }).relabelled).toBe(0);
  });

  test('a second evaluation of a run while one runs joins it (one job); another split waits for it', async () => {
    const evalJobs = () => engine.jobs.list().filter((j) => j.kind === 'eval' && j.label.includes(runId));
    const before = evalJobs().length;
    // The result screen's evaluate-on-finish and the Runs view's own, back to back.
    const first = await engine.call('eval.start', { runId, split: 'validation' });
    const second = await engine.call('eval.start', { runId, split: 'validation' });
    expect(second.jobId).toBe(first.jobId);
    const test = await engine.call('eval.start', { runId, split: 'test' });
    expect(test.jobId).not.toBe(first.jobId);
    expect(evalJobs().length - before).toBe(2);
    const [a, b] = await Promise.all([engine.jobs.wait(first.jobId), engine.jobs.wait(test.jobId)]);
    expect(a.status).toBe('succeeded');
    // This fixture has no test images: the test split's job ran (after the validation one) and says so.
    expect(b.error).toMatch(/test split has no labelled images/);
    // Once it has finished, asking again evaluates again.
    const again = await engine.call('eval.start', { runId, split: 'validation' });
    expect(again.jobId).not.toBe(first.jobId);
    expect((await engine.jobs.wait(again.jobId)).status).toBe('succeeded');
  });

  test('the feature-cache shortcut gives the full model’s probabilities', async () => {
    const loaded = await loadModelForPrediction((await engine.call('runs.get', { id: runId })).modelDir as string);
    try {
      const items = report.items.slice(0, 4);
      const paths = items.map((it) => engine.projects.require().catalogue.images.primaryPath(it.imageId) as string);
      const probs = await predictFiles(loaded, paths);
      probs.forEach((row, i) => row.forEach((p, j) => expect(Math.abs(p - items[i]!.probabilities[j]!)).toBeLessThan(1e-4)));
    } finally {
      loaded.dispose();
    }
  });

  test('a relabelled image is counted so the user knows to retrain', async () => {
    const first = report.items[0]!;
    const classes = await engine.call('library.classes', {});
    const other = classes.find((c) => c.name !== report.classes[first.trueIndex])!;
    await engine.call('library.applyLabels', { entries: [{ imageId: first.imageId, classId: other.id }] });
    expect((await engine.call('eval.get', { runId, split: 'validation' }))?.relabelled).toBe(1);
    const back = classes.find((c) => c.name === report.classes[first.trueIndex])!;
    await engine.call('library.applyLabels', { entries: [{ imageId: first.imageId, classId: back.id, source: 'folder' }] });
  });

  test('lds eval --json prints design.md’s object; the test split only on request, with a warning', async () => {
    const r = await cli(['eval', runId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = lastJson(r.stdout);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['accuracy', 'loss', 'classes', 'confusion', 'perClass', 'roc', 'auc']));
    expect(json.accuracy).toBeCloseTo(report.accuracy, 6);
    const test = await cli(['eval', runId, '--split', 'test', '--json']);
    // This project has no test split: a clear failure, not an empty report.
    expect(test.code).toBe(1);
    expect(test.stderr).toMatch(/test split has no labelled images/);
    expect((await cli(['eval', runId, '--split', 'train'])).code).toBe(2);
    expect((await cli(['eval', 'no-such-run'])).stderr).toMatch(/no run "no-such-run"/);
  });

  test('lds predict on a file and a folder prints class, confidence and probabilities per image', async () => {
    const folder = join(CATS_DOGS, 'validation', 'dogs');
    const file = join(CATS_DOGS, 'validation', 'cats', readdirSync(join(CATS_DOGS, 'validation', 'cats')).sort()[0] as string);
    const sub = join(tmp.dir, 'few');
    const { cpSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(sub, 'nested'), { recursive: true });
    const dogs = readdirSync(folder).sort().slice(0, 3);
    for (const f of dogs) cpSync(join(folder, f), join(sub, 'nested', f));
    // Walked as import walks: hidden files left alone, other files named with the reason.
    cpSync(join(folder, dogs[0]!), join(sub, '.hidden.jpg'));
    writeFileSync(join(sub, 'notes.txt'), 'not a picture');
    const r = await cli(['predict', runId, file, sub, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { predictions, skipped } = lastJson(r.stdout);
    expect(predictions.map((p: { path: string }) => p.path)).toEqual([file, ...dogs.map((f) => join(sub, 'nested', f))]);
    expect(skipped).toEqual([{ path: join(sub, 'notes.txt'), reason: expect.stringMatching(/not an image/) }]);
    expect(r.stderr).toContain(`skipped ${join(sub, 'notes.txt')}`);
    for (const p of predictions) {
      expect(Object.keys(p)).toEqual(['path', 'class', 'confidence', 'probabilities']);
      expect(p.probabilities.cats + p.probabilities.dogs).toBeCloseTo(1, 5);
      expect(p.confidence).toBe(Math.max(p.probabilities.cats, p.probabilities.dogs));
    }
    const byModelDir = await cli(['predict', (await engine.call('runs.get', { id: runId })).modelDir as string, file, '--json']);
    expect(JSON.parse(byModelDir.stdout.trim()).predictions[0].probabilities.cats).toBeCloseTo(predictions[0].probabilities.cats, 6);
    expect((await cli(['predict', runId, join(tmp.dir, 'nope.jpg')])).stderr).toMatch(/nope\.jpg: no such file/);
    await expect(engine.call('predict.files', { paths: [file] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: /exactly one of runId and modelDir/,
    });
    await expect(engine.call('predict.files', { modelDir: tmp.dir, paths: [file] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: /no model\.json/,
    });
  });

  test('pre-label predicts unlabelled images as "predicted" with confidence; the review queue is least confident first', async () => {
    const validation = await engine.call('library.list', { split: 'validation' });
    const cleared = validation.slice(0, 6).map((i) => i.id);
    await engine.call('library.applyLabels', { entries: cleared.map((imageId) => ({ imageId, classId: null })) });
    const manualBefore = await engine.call('library.list', { split: 'train' });
    const tensors = tf.memory().numTensors;
    const { jobId } = await engine.call('predict.prelabel', { runId });
    const job = await engine.jobs.wait(jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(tf.memory().numTensors).toBe(tensors);
    const queue = await engine.call('review.queue', {});
    expect(queue.map((q) => q.imageId).sort((a, b) => a - b)).toEqual([...cleared].sort((a, b) => a - b));
    const confidences = queue.map((q) => q.confidence as number);
    expect([...confidences].sort((a, b) => a - b)).toEqual(confidences);
    confidences.forEach((c) => expect(c).toBeGreaterThanOrEqual(0.5));
    expect((await engine.call('library.status', {})).predicted).toBe(6);
    // Folder labels were never touched.
    expect(await engine.call('library.list', { split: 'train' })).toEqual(manualBefore);
    // Accepting makes a manual label and leaves the queue; pre-labelling again keeps it.
    const first = queue[0]!;
    await engine.call('library.applyLabels', { entries: [{ imageId: first.imageId, classId: first.classId, source: 'manual' }] });
    const again = await engine.jobs.wait((await engine.call('predict.prelabel', { runId })).jobId);
    expect(again.status).toBe('succeeded');
    const after = await engine.call('review.queue', {});
    expect(after).toHaveLength(5);
    expect(after.map((q) => q.imageId)).not.toContain(first.imageId);
    expect((await engine.call('library.image', { id: first.imageId })).labelSource).toBe('manual');
  });
});
