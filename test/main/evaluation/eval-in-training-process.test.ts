import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { EvalView } from '@shared/contract';
import type { Engine } from '../../../src/main/engine/engine';
import { ForkLauncher, type TrainingProcess, type TrainingProcessLauncher } from '../../../src/main/training/host/launcher';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../training/fixtures';

/** The real fork launcher, recording what main sends each process; can SIGKILL one right after a given message. */
class SpyLauncher implements TrainingProcessLauncher {
  readonly sent: string[][] = [];
  exits = 0;
  killAfter: string | null = null;
  readonly #inner = new ForkLauncher();

  launch(): TrainingProcess {
    const child = this.#inner.launch();
    const log: string[] = [];
    this.sent.push(log);
    child.onExit(() => this.exits++);
    return {
      pid: child.pid,
      onMessage: (l) => child.onMessage(l),
      onExit: (l) => child.onExit(l),
      kill: (s) => child.kill(s),
      send: (message) => {
        const type = (message as { type: string }).type;
        log.push(type);
        child.send(message);
        if (type === this.killAfter) child.kill('SIGKILL');
      },
    };
  }
}

/** tfjs keeps its engine on the global object; a backend in its registry means tensors ran in this process. */
const tfBackendsHere = (): string[] =>
  Object.keys((globalThis as { _tfengine?: { registry: Record<string, unknown> } })._tfengine?.registry ?? {});

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
const spy = new SpyLauncher();
let runId = '';

beforeAll(async () => {
  tmp = tempDir('eval-process');
  engine = await engineWithCatsDogs(tmp.dir, 8, 6, { launcher: spy });
  const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 2, seed: 3 });
  if (run.status !== 'succeeded') throw new Error(run.error ?? 'training failed');
  runId = run.id;
}, 120_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('evaluation runs in the training process', () => {
  let report: EvalView;

  test('eval.start hands the model to a fresh training process; this process never runs tfjs', async () => {
    const launched = spy.sent.length;
    const job = await engine.jobs.wait((await engine.call('eval.start', { runId })).jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(spy.sent.slice(launched)).toEqual([['predict']]);
    expect(tfBackendsHere()).toEqual([]);
    report = (await engine.call('eval.get', { runId, split: 'validation' })) as EvalView;
    expect(report.count).toBe(12);
  });

  test('killing the process mid-evaluation fails the job with the reason and leaves the catalogue as it was', async () => {
    // Two unlabelled images, so pre-labelling has work to lose.
    const cleared = (await engine.call('library.list', { split: 'validation' })).slice(0, 2).map((i) => i.id);
    await engine.call('library.applyLabels', { entries: cleared.map((imageId) => ({ imageId, classId: null })) });
    const statusBefore = await engine.call('library.status', {});
    const runsBefore = await engine.call('runs.list', {});
    spy.killAfter = 'predict';
    try {
      const job = await engine.jobs.wait((await engine.call('eval.start', { runId })).jobId);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/killed \(SIGKILL\)/);
      const prelabel = await engine.jobs.wait((await engine.call('predict.prelabel', { runId })).jobId);
      expect(prelabel.status).toBe('failed');
      expect(prelabel.error).toMatch(/killed \(SIGKILL\)/);
    } finally {
      spy.killAfter = null;
    }
    expect(await engine.call('library.status', {})).toEqual(statusBefore);
    expect(await engine.call('review.queue', {})).toEqual([]);
    expect(await engine.call('runs.list', {})).toEqual(runsBefore);
    // The last good report is still the one on file, and the next evaluation works.
    expect((await engine.call('eval.get', { runId, split: 'validation' }))?.createdAt).toBe(report.createdAt);
    const again = await engine.jobs.wait((await engine.call('eval.start', { runId })).jobId);
    expect(again.status, again.error ?? '').toBe('succeeded');
    expect(tfBackendsHere()).toEqual([]);
  });

  test('cancelling k-fold stops its training process and the job ends cancelled', async () => {
    const launched = spy.sent.length;
    const exits = spy.exits;
    const { jobId } = await engine.call('kfold.start', { k: 3, epochs: 500, seed: 1 });
    await vi.waitFor(() => expect(spy.sent.slice(launched).flat()).toContain('kfold'), { timeout: 20_000 });
    engine.jobs.cancel(jobId);
    const job = await engine.jobs.wait(jobId);
    expect(job.status).toBe('cancelled');
    expect(spy.sent.slice(launched)).toEqual([['kfold', 'cancel']]);
    await vi.waitFor(() => expect(spy.exits).toBeGreaterThan(exits), { timeout: 10_000 });
    expect(tfBackendsHere()).toEqual([]);
  }, 30_000);
});
