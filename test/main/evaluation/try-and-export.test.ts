import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PREDICT_BYTES_FILE_LIMIT, predictFilesResultSchema } from '@shared/contract';
import type { Engine } from '../../../src/main/engine/engine';
import { CATS_DOGS, engineWithCatsDogs, tempDir, trainToEnd } from '../training/fixtures';

// No validation images: the run holds 15% of train out, and "validation" for it means those images.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let runId = '';
let heldOut = 0;
/** Job results arrive only with job.finished: kept from the start so no fast job is missed. */
const results = new Map<string, unknown>();
async function resultOf(jobId: string): Promise<unknown> {
  const job = await engine.jobs.wait(jobId);
  if (job.status !== 'succeeded') throw new Error(job.error ?? job.status);
  return results.get(jobId);
}

beforeAll(async () => {
  tmp = tempDir('try-export');
  engine = await engineWithCatsDogs(tmp.dir, 14, 0);
  engine.events.subscribe((event, payload) => {
    if (event === 'job.finished') results.set((payload as { id: string }).id, (payload as { result: unknown }).result);
  });
  const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 4, seed: 3 });
  if (run.status !== 'succeeded') throw new Error(run.error ?? 'training failed');
  runId = run.id;
  heldOut = (run.config.validationHoldout as { images: number }).images;
}, 180_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

const picture = (cls: 'cats' | 'dogs', index = 0): Buffer => {
  const dir = join(CATS_DOGS, 'validation', cls);
  return readFileSync(join(dir, readdirSync(dir).sort()[index] as string));
};

describe('a run evaluated at once, also without validation images (issue 16, item 2)', () => {
  test('validation for a run that held out part of train is those held-out images', async () => {
    expect(heldOut).toBeGreaterThan(0);
    const { jobId } = await engine.call('eval.start', { runId });
    const job = await engine.jobs.wait(jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
    const report = await engine.call('eval.get', { runId, split: 'validation' });
    expect(report?.count).toBe(heldOut);
    expect(report?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(heldOut);
  });
});

describe('predict.bytes: Try it with pictures sent as bytes (issue 16, item 3)', () => {
  test('each picture gets class, confidence and probabilities; a non-picture is named, not fatal', async () => {
    const files = [
      { name: 'my cat.jpg', data: picture('cats').toString('base64') },
      { name: 'notes.jpg', data: Buffer.from('just some text, not a picture').toString('base64') },
      { name: 'dog', data: picture('dogs').toString('base64') },
    ];
    const { jobId } = await engine.call('predict.bytes', { runId, files });
    const result = predictFilesResultSchema.parse(await resultOf(jobId));
    expect(result.predictions.map((p) => p.path)).toEqual(['my cat.jpg', 'dog']);
    for (const p of result.predictions) {
      expect(['cats', 'dogs']).toContain(p.class);
      expect(p.confidence).toBeCloseTo(Math.max(...Object.values(p.probabilities)), 6);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.path).toBe('notes.jpg');
    expect(result.skipped[0]?.reason).toMatch(/not an image/);
  });

  test('the same picture by bytes and by path gets the same probabilities (same preprocessing)', async () => {
    const path = join(tmp.dir, 'same.jpg');
    writeFileSync(path, picture('dogs', 3));
    const byPath = await engine.call('predict.files', { runId, paths: [path] });
    const byBytes = await engine.call('predict.bytes', {
      runId,
      files: [{ name: 'same.jpg', data: picture('dogs', 3).toString('base64') }],
    });
    const a = predictFilesResultSchema.parse(await resultOf(byPath.jobId)).predictions[0]!;
    const b = predictFilesResultSchema.parse(await resultOf(byBytes.jobId)).predictions[0]!;
    for (const [cls, p] of Object.entries(a.probabilities)) expect(b.probabilities[cls]).toBeCloseTo(p, 6);
  });

  test('too large, not base64, or no run: refused with a clear message before any work', async () => {
    const big = 'A'.repeat(Math.ceil(PREDICT_BYTES_FILE_LIMIT / 3) * 4 + 4);
    const tooBig = await engine.invoke('predict.bytes', { runId, files: [{ name: 'huge.jpg', data: big }] });
    expect(tooBig.ok).toBe(false);
    expect(!tooBig.ok && tooBig.error.message).toMatch(/at most 8 MiB/);
    const notBase64 = await engine.invoke('predict.bytes', { runId, files: [{ name: 'x.jpg', data: 'not base64!' }] });
    expect(!notBase64.ok && notBase64.error.message).toMatch(/base64/);
    const noRun = await engine.invoke('predict.bytes', {
      runId: 'nope',
      files: [{ name: 'x.jpg', data: picture('cats').toString('base64') }],
    });
    expect(!noRun.ok && noRun.error.message).toMatch(/no run "nope"/);
  });
});

describe('export into a bad folder says so in words (issue 16, item 14)', () => {
  test('a file in the way is named; no ENOTDIR, nothing written', async () => {
    const file = join(tmp.dir, 'a-file.txt');
    writeFileSync(file, 'x');
    const inside = await engine.invoke('export.model', { runId, outDir: join(file, 'model') });
    expect(inside.ok).toBe(false);
    expect(!inside.ok && inside.error.message).toBe(
      `${file} is a file, so ${join(file, 'model')} cannot be a folder inside it: choose a folder`,
    );
    const itself = await engine.invoke('export.model', { runId, outDir: file });
    expect(!itself.ok && itself.error.message).toBe(`${file} is a file, not a folder: choose a folder to export into`);
    expect(readFileSync(file, 'utf8')).toBe('x');
    const good = await engine.call('export.model', { runId, outDir: join(tmp.dir, 'out', 'model') });
    expect(good.files).toContain('model.json');
  });
});
