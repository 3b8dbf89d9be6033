import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Catalogue } from '../../../../src/main/catalogue';
import type { Engine } from '../../../../src/main/engine/engine';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  tmp = tempDir('failures');
  engine = await engineWithCatsDogs(tmp.dir, 12, 4);
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const runsDir = () => join(tmp.dir, 'ws', 'runs');

describe('runs that do not finish', () => {
  test('cancel mid-epoch: the run is cancelled within a batch and no model is left', async () => {
    let cancelledAt = 0;
    const { run } = await trainToEnd(
      engine,
      { mode: 'scratch', epochs: 50, inputSize: 48, batchSize: 4, augment: 'none' },
      (event, payload) => {
        if (event === 'run.progress' && payload.phase === 'training' && payload.done >= 2 && !cancelledAt) {
          cancelledAt = Date.now();
          void engine.call('runs.cancel', { id: payload.runId });
        }
      },
    );
    expect(run.status).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(run.epochs.length).toBeLessThan(50);
    expect(existsSync(join(runsDir(), run.id))).toBe(false);
    expect(readdirSync(runsDir()).filter((d) => d.includes(run.id))).toEqual([]);
  });

  test('kill -9 of the training process: the run fails with the reason and the catalogue checks clean', async () => {
    let killed = false;
    const manager = engine.training().runs;
    const { run } = await trainToEnd(
      engine,
      { mode: 'scratch', epochs: 50, inputSize: 48, batchSize: 4, augment: 'none' },
      (event, payload) => {
        if (event === 'run.progress' && payload.phase === 'training' && !killed) {
          killed = true;
          manager.processOf(payload.runId)?.kill('SIGKILL');
        }
      },
    );
    expect(killed).toBe(true);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/killed \(SIGKILL\): out of memory, or killed/);
    expect(readdirSync(runsDir()).filter((d) => d.includes(run.id))).toEqual([]);
    const list = await engine.call('runs.list', {});
    expect(list.map((r) => r.status)).toEqual(['failed', 'cancelled']);

    await engine.call('project.close', {});
    const catalogue = Catalogue.openWorkspace(join(tmp.dir, 'ws'));
    try {
      expect(catalogue.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(catalogue.db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 2 });
    } finally {
      catalogue.close();
    }
    await engine.call('project.open', { dir: join(tmp.dir, 'ws') });
  });

  test('closing the project mid-run cancels the run before the catalogue closes', async () => {
    let closed: Promise<unknown> | null = null;
    const off = engine.events.on('run.progress', ({ phase }) => {
      if (phase === 'training' && !closed) closed = engine.call('project.close', {});
    });
    try {
      const started = await engine.call('train.start', { mode: 'scratch', epochs: 50, inputSize: 48, batchSize: 4, augment: 'none' });
      const job = await engine.jobs.wait(started.jobId);
      await closed;
      expect(job.status).toBe('cancelled');
      await engine.call('project.open', { dir: join(tmp.dir, 'ws') });
      expect((await engine.call('runs.get', { id: started.runId })).status).toBe('cancelled');
    } finally {
      off();
    }
  });
});
