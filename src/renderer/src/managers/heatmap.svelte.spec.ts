import { describe, expect, it } from 'vitest';
import type { Explanation, RunInfo } from '@shared/contract';
import { heatmapCaption, HeatmapManager, latestFinishedRun, type HeatmapSource } from './heatmap.svelte';

const explanation = (imageId: number | null, patch: Partial<Explanation> = {}): Explanation => ({
  runId: 'r1',
  image: `picture ${imageId}`,
  imageId,
  classes: ['cats', 'dogs'],
  probabilities: [0.25, 0.75],
  predicted: 'dogs',
  explained: 'dogs',
  layer: 'out_relu',
  gridWidth: 2,
  gridHeight: 2,
  grid: [1, 0, 0, 0],
  peak: 0.4,
  fit: 'stretch',
  width: 10,
  height: 10,
  overlay: null,
  ...patch,
});

/** A source the test answers by hand, recording every job asked for. */
function harness() {
  const jobs: { runId: string; ids: number[]; answer: (skip?: number[]) => void; fail: (m: string) => void }[] = [];
  const files: string[] = [];
  const source: HeatmapSource = {
    images: (runId, ids) =>
      new Promise((resolve, reject) =>
        jobs.push({
          runId,
          ids,
          answer: (skip = []) =>
            resolve({
              explanations: ids.filter((id) => !skip.includes(id)).map((id) => explanation(id, { runId })),
              skipped: skip.map((id) => ({ imageId: id, reason: 'not an image' })),
            }),
          fail: (m) => reject(new Error(m)),
        }),
      ),
    file: async (runId, name, data) => {
      files.push(`${runId}:${name}:${data}`);
      return explanation(null, { runId, image: name });
    },
  };
  return { manager: new HeatmapManager(source), jobs, files };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('HeatmapManager', () => {
  it('gathers the pictures asked for together into one job per run, once each, and keeps the answers', async () => {
    const { manager, jobs } = harness();
    manager.request('r1', 1);
    manager.request('r1', 2);
    manager.request('r1', 1);
    manager.request('r2', 1);
    expect(manager.entry(HeatmapManager.imageKey('r1', 1))).toEqual({ status: 'waiting' });
    await tick();
    expect(jobs.map((j) => [j.runId, j.ids])).toEqual([
      ['r1', [1, 2]],
      ['r2', [1]],
    ]);
    jobs[0]!.answer([2]);
    await tick();
    const done = manager.entry(HeatmapManager.imageKey('r1', 1));
    expect(done?.status === 'done' && done.explanation.imageId).toBe(1);
    expect(manager.entry(HeatmapManager.imageKey('r1', 2))).toEqual({ status: 'failed', reason: 'not an image' });
    // Asked again: served from what is known, no new job.
    manager.request('r1', 1);
    await tick();
    expect(jobs).toHaveLength(2);
  });

  it('a failed job marks each of its pictures failed with the reason', async () => {
    const { manager, jobs } = harness();
    manager.request('r1', 5);
    manager.request('r1', 6);
    await tick();
    jobs[0]!.fail('run r1 has no trained model');
    await tick();
    expect(manager.entry(HeatmapManager.imageKey('r1', 6))).toEqual({ status: 'failed', reason: 'run r1 has no trained model' });
  });

  it('pictures given as bytes are explained one by one, once per key; the toggle is shared', async () => {
    const { manager, files } = harness();
    expect(manager.on).toBe(false);
    manager.toggle();
    expect(manager.on).toBe(true);
    await manager.requestFile('r1', 7, 'cat.jpg', async () => 'QUJD');
    await manager.requestFile('r1', 7, 'cat.jpg', async () => 'QUJD');
    expect(files).toEqual(['r1:cat.jpg:QUJD']);
    const e = manager.entry(HeatmapManager.fileKey('r1', 7));
    expect(e?.status === 'done' && e.explanation.image).toBe('cat.jpg');
  });
});

describe('heatmap words', () => {
  it('the caption names the run, the class explained and the prediction; an empty map says so', () => {
    expect(heatmapCaption(explanation(3))).toBe('where run r1 sees “dogs” (predicted dogs 75%)');
    expect(heatmapCaption(explanation(3, { explained: 'cats', peak: 0 }))).toBe(
      'run r1: nothing here speaks for “cats” (predicted dogs 75%)',
    );
  });

  it('the Library explains with the newest run that has a model', () => {
    const run = (id: string, createdAt: string, status: RunInfo['status'], modelDir: string | null) =>
      ({ id, createdAt, status, modelDir }) as RunInfo;
    const list = [
      run('a', '2026-12-07T10:00:00Z', 'succeeded', '/m/a'),
      run('b', '2026-12-07T12:00:00Z', 'failed', null),
      run('c', '2026-12-07T11:00:00Z', 'succeeded', '/m/c'),
      run('d', '2026-12-07T13:00:00Z', 'running', null),
    ];
    expect(latestFinishedRun(list)?.id).toBe('c');
    expect(latestFinishedRun([])).toBeNull();
  });
});
