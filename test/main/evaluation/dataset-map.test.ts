import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MapLayout } from '@shared/contract';
import type { Engine } from '../../../src/main/engine/engine';
import { MAP_FILE } from '../../../src/main/engine/handlers/map';
import { engineWithCatsDogs, tempDir } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';

// 6 train + 3 validation per class: 18 real pictures, one of them then unlabelled.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  tmp = tempDir('map');
  engine = await engineWithCatsDogs(tmp.dir, 6, 3);
}, 60_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

async function reopen(): Promise<Engine> {
  const { Engine } = await import('../../../src/main/engine/engine');
  const { RESOURCES } = await import('../training/fixtures');
  const next = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
  await next.call('project.open', { dir: join(tmp.dir, 'ws') });
  return next;
}

async function layout(seed: number): Promise<MapLayout> {
  let result: MapLayout | null = null;
  const off = engine.events.on('job.finished', (job) => {
    if (job.kind === 'map') result = job.result as MapLayout;
  });
  try {
    const { jobId } = await engine.call('map.layout', { seed });
    const job = await engine.jobs.wait(jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
  } finally {
    off();
  }
  if (!result) throw new Error('the map job finished without a result');
  return result;
}

describe('dataset map through the contract', () => {
  test('lays out every image, labelled or not, and the same seed gives the same map from cached features', async () => {
    expect(await engine.call('map.get', {})).toBeNull();
    const images = await engine.call('library.list', {});
    expect(images).toHaveLength(18);
    await engine.call('library.applyLabels', { entries: [{ imageId: images[0]!.id, classId: null, source: 'manual', confidence: null }] });

    const first = await layout(5);
    expect(first.points.map((p) => p.id).sort((a, b) => a - b)).toEqual(images.map((i) => i.id).sort((a, b) => a - b));
    for (const p of first.points) {
      expect(Math.abs(p.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(p.y)).toBeLessThanOrEqual(1);
    }
    expect(first).toMatchObject({ seed: 5, featuresComputed: 18, featuresFromCache: 0 });
    expect(first.backbone).toMatch(/mobilenet/i);

    const again = await layout(5);
    expect(again).toMatchObject({ featuresComputed: 0, featuresFromCache: 18 });
    expect(again.points).toEqual(first.points);
    const other = await layout(6);
    expect(other.points).not.toEqual(first.points);

    const kept = await engine.call('map.get', {});
    expect(kept).toMatchObject({ seed: 6, missing: 0 });
    expect(kept!.points).toEqual(other.points);

    // `lds map` goes through the same command: seed 5 again draws the first map.
    await engine.close();
    const cli = await runLds(tmp.dir, ['map', '--seed', '5', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(lastJson(cli.stdout)).toMatchObject({ images: 18, seed: 5, featuresComputed: 0, points: first.points });
    const bad = await runLds(tmp.dir, ['map', '--seed', '1.5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--seed.*whole number from 0/);
    engine = await reopen();
  }, 240_000);

  test('refuses a bad seed, and a torn layout file reads as no map', async () => {
    await expect(engine.call('map.layout', { seed: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(engine.call('map.layout', { seed: 1, extra: true } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    const file = join(tmp.dir, 'ws', MAP_FILE);
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, '{"points": [');
    expect(await engine.call('map.get', {})).toBeNull();
  });
});
