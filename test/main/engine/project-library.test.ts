import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName } from '@shared/contract';
import { Engine } from '../../../src/main/engine/engine';
import { noisyJpeg } from '../../fixtures/images';

const REPO_RESOURCES = resolve(__dirname, '../../../resources');

let dir: string;
let engine: Engine;
let events: Array<{ event: EventName; payload: unknown }>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-engine-'));
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: REPO_RESOURCES, version: '0.0.0-test' });
  events = [];
  engine.events.subscribe((event, payload) => events.push({ event, payload }));
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function importAndWait(paths: string[]): Promise<unknown> {
  const finished = new Promise<unknown>((done) => {
    const off = engine.events.subscribe((event, payload) => {
      if (event === 'job.finished') {
        off();
        done(payload);
      }
    });
  });
  const { jobId } = await engine.call('library.import', { paths });
  expect(jobId).toEqual(expect.any(String));
  return finished;
}

async function makeClassFolders(): Promise<string> {
  const root = join(dir, 'pets');
  let seed = 1;
  for (const [split, cls, n] of [
    ['train', 'cats', 3],
    ['train', 'dogs', 3],
    ['validation', 'cats', 1],
    ['validation', 'dogs', 1],
  ] as const) {
    mkdirSync(join(root, split, cls), { recursive: true });
    for (let i = 0; i < n; i++) writeFileSync(join(root, split, cls, `${cls}-${i}.jpg`), await noisyJpeg(24, 16, seed++));
  }
  return root;
}

describe('projects', () => {
  it('creates, remembers, reopens and forgets a workspace', async () => {
    const ws = join(dir, 'my project');
    await expect(engine.call('project.open', { dir: ws })).rejects.toMatchObject({ code: 'not_found' });
    const info = await engine.call('project.open', { dir: ws, create: true });
    expect(info).toEqual({ dir: ws, name: 'my project', isSample: false, resizeMode: 'stretch' });
    for (const sub of ['catalogue.db', 'thumbs', 'runs', 'features']) expect(existsSync(join(ws, sub))).toBe(true);
    expect(events).toContainEqual({ event: 'project.changed', payload: { dir: ws } });
    await engine.call('project.close', {});
    const state = await engine.call('project.state', {});
    expect(state.project).toBeNull();
    expect(state.recent).toMatchObject([{ dir: ws, name: 'my project', exists: true }]);
    expect(state.sampleAvailable).toBe(true);
    await engine.call('project.open', { dir: ws });
    await engine.call('project.forgetRecent', { dir: ws });
    expect((await engine.call('project.state', {})).recent).toEqual([]);
  });

  it('answers no_project before a project is open', async () => {
    const result = await engine.invoke('library.status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'no_project' } });
  });

  it('opens the bundled sample project with its images in place', async () => {
    const info = await engine.call('project.openSample', {});
    expect(info).toMatchObject({ isSample: true, name: 'Sample project', dir: join(dir, 'user', 'sample-project') });
    const status = await engine.call('library.status', {});
    expect(status.classes.map((c) => c.name)).toEqual(['circles', 'squares', 'triangles']);
    expect(status.images).toBeGreaterThanOrEqual(90);
    expect(status.splits.train).toBeGreaterThan(status.splits.validation);
    expect(status.unlabelled).toBe(0);
    const item = (await engine.call('library.list', {}))[0];
    const detail = await engine.call('library.image', { id: item?.id as number });
    expect(detail.paths[0]?.startsWith(join(REPO_RESOURCES, 'sample'))).toBe(true);
    // Opening it again does not import twice.
    await engine.call('project.close', {});
    await engine.call('project.openSample', {});
    expect((await engine.call('library.status', {})).images).toBe(status.images);
  });
});

describe('library commands', () => {
  beforeEach(async () => {
    await engine.call('project.open', { dir: join(dir, 'ws'), create: true });
  });

  it('imports as a job, then lists, labels with undo, splits, and serves images', async () => {
    const root = await makeClassFolders();
    const finished = (await importAndWait([root])) as { status: string; result: { added: number } };
    expect(finished).toMatchObject({ status: 'succeeded', result: { added: 8, skipped: [] } });
    expect(events.some((e) => e.event === 'library.changed')).toBe(true);

    const classes = await engine.call('library.classes', {});
    expect(classes.map((c) => [c.name, c.count, c.hotkey])).toEqual([
      ['cats', 4, '1'],
      ['dogs', 4, '2'],
    ]);
    const [cats, dogs] = classes as unknown as [{ id: number }, { id: number }];
    const all = await engine.call('library.list', {});
    expect(all).toHaveLength(8);
    const catItems = await engine.call('library.list', { classId: cats.id, split: 'train' });
    expect(catItems).toHaveLength(3);

    const target = catItems.map((i) => i.id);
    const { previous } = await engine.call('library.applyLabels', { entries: target.map((imageId) => ({ imageId, classId: dogs.id })) });
    expect(previous).toEqual(target.map((imageId) => ({ imageId, classId: cats.id, source: 'folder', confidence: null })));
    expect((await engine.call('library.classes', {})).map((c) => c.count)).toEqual([1, 7]);
    // Undo = apply what came back.
    await engine.call('library.applyLabels', { entries: previous });
    expect((await engine.call('library.classes', {})).map((c) => c.count)).toEqual([4, 4]);
    // Clearing a label.
    const cleared = await engine.call('library.applyLabels', { entries: [{ imageId: target[0] as number, classId: null }] });
    expect(cleared.previous[0]).toMatchObject({ classId: cats.id });
    expect((await engine.call('library.list', { filter: 'unlabelled' })).map((i) => i.id)).toEqual([target[0]]);

    const splits = await engine.call('library.applySplits', { entries: [{ imageId: target[1] as number, split: 'test' }] });
    expect(splits.previous).toEqual([{ imageId: target[1], split: 'train' }]);
    expect((await engine.call('library.status', {})).splits.test).toBe(1);

    const thumb = await engine.projects.readImage(target[1] as number, 'thumb');
    expect(thumb.contentType).toBe('image/webp');
    expect(readdirSync(join(dir, 'ws', 'thumbs'))).toHaveLength(1);
    const full = await engine.projects.readImage(target[1] as number, 'full');
    expect(full).toMatchObject({ contentType: 'image/jpeg' });
    await expect(engine.projects.readImage(99999, 'thumb')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('adds, renames, recolours, reorders and deletes classes, moving or clearing labels', async () => {
    await importAndWait([await makeClassFolders()]);
    const [cats, dogs] = (await engine.call('library.classes', {})) as unknown as [{ id: number }, { id: number }];
    const birds = await engine.call('classes.add', { name: 'birds' });
    expect(birds).toMatchObject({ name: 'birds', count: 0, hotkey: '3', colour: expect.stringMatching(/^#/) });
    await expect(engine.call('classes.add', { name: 'cats' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(engine.call('classes.update', { id: birds.id, name: 'dogs' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await engine.call('classes.update', { id: birds.id, name: 'owls', colour: '#123456' })).toMatchObject({
      name: 'owls',
      colour: '#123456',
    });
    await engine.call('classes.reorder', { ids: [birds.id, dogs.id, cats.id] });
    expect((await engine.call('library.classes', {})).map((c) => c.name)).toEqual(['owls', 'dogs', 'cats']);

    await engine.call('classes.delete', { id: cats.id, moveLabelsTo: birds.id });
    expect((await engine.call('library.classes', {})).map((c) => [c.name, c.count])).toEqual([
      ['owls', 4],
      ['dogs', 4],
    ]);
    await engine.call('classes.delete', { id: dogs.id });
    expect((await engine.call('library.status', {})).unlabelled).toBe(4);
    await expect(engine.call('classes.delete', { id: birds.id, moveLabelsTo: birds.id })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(engine.call('classes.delete', { id: 12345 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a workspace inside the imported folder does not import its own thumbnails or database', async () => {
    const root = await makeClassFolders();
    await engine.call('project.open', { dir: root, create: true });
    await importAndWait([root]);
    const first = (await engine.call('library.list', {}))[0];
    await engine.projects.readImage(first?.id as number, 'thumb');
    const again = (await importAndWait([root])) as { result: { added: number; skipped: unknown[] } };
    expect(again.result).toMatchObject({ added: 0, skipped: [] });
    expect((await engine.call('library.status', {})).images).toBe(8);
  });

  it('reports a bad import path at once, and a missing image/class clearly', async () => {
    await expect(engine.call('library.import', { paths: [join(dir, 'nope')] })).rejects.toThrow(/no such folder/);
    await expect(engine.call('library.applyLabels', { entries: [{ imageId: 777, classId: null }] })).rejects.toThrow(
      /no image with id 777/,
    );
    await expect(engine.call('library.image', { id: 5 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rescan runs as a job and marks missing files', async () => {
    const root = await makeClassFolders();
    await importAndWait([root]);
    rmSync(join(root, 'train', 'cats', 'cats-0.jpg'));
    const done = new Promise<unknown>((ok) => {
      const off = engine.events.subscribe((event, payload) => {
        if (event === 'job.finished') {
          off();
          ok(payload);
        }
      });
    });
    await engine.call('library.rescan', {});
    expect(await done).toMatchObject({ status: 'succeeded', result: { missing: 1 } });
    expect((await engine.call('library.status', {})).missing).toBe(1);
  });

  it('closing the project during an import cancels it and leaves a consistent catalogue', async () => {
    const root = join(dir, 'many');
    mkdirSync(root);
    for (let i = 0; i < 300; i++) writeFileSync(join(root, `m-${i}.jpg`), await noisyJpeg(8, 8, 1000 + i));
    // Close as soon as the first batch is in: the import is certainly still running then.
    const closed = new Promise<unknown>((done) => {
      const off = engine.events.on('job.progress', (job) => {
        if (job.done > 0) {
          off();
          done(engine.call('project.close', {}));
        }
      });
    });
    const finished = importAndWait([root]);
    await closed;
    const info = (await finished) as { status: string; result: { added: number; cancelled: boolean } };
    // The import stops between batches and reports what it committed.
    expect(info).toMatchObject({ status: 'succeeded', result: { cancelled: true } });
    expect(info.result.added).toBeGreaterThan(0);
    expect(info.result.added).toBeLessThan(300);
    await engine.call('project.open', { dir: join(dir, 'ws') });
    const status = await engine.call('library.status', {});
    const again = (await importAndWait([root])) as { result: { added: number; unchanged: number } };
    expect(again.result.added + status.images).toBe(300);
  });
});

describe('contract at the engine boundary', () => {
  it('rejects malformed messages with a clear error instead of crashing', async () => {
    expect(await engine.invoke('library.nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await engine.invoke(42, {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const bad = await engine.invoke('library.applyLabels', { entries: [{ imageId: -1, classId: 'x' }] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!bad.ok) expect(bad.error.message).toMatch(/library\.applyLabels: entries\.0\.imageId/);
    expect(await engine.invoke('project.open', { dir: 5 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await engine.invoke('project.open', { dir: '/x', evil: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await engine.invoke('library.import', { paths: ['/x'], valFraction: 0.6, testFraction: 0.5 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/below 1/) },
    });
    expect(await engine.invoke('classes.add', null)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('produces outputs that match the contract', async () => {
    process.env.LDS_CHECK_OUTPUTS = '1';
    try {
      cpSync(join(REPO_RESOURCES, 'sample', 'train', 'circles'), join(dir, 'c'), { recursive: true });
      await engine.call('project.open', { dir: join(dir, 'ws2'), create: true });
      await importAndWait([join(dir, 'c')]);
      for (const name of ['library.status', 'library.classes', 'library.list', 'project.state'] as const) {
        expect(await engine.invoke(name, {}), name).toMatchObject({ ok: true });
      }
    } finally {
      delete process.env.LDS_CHECK_OUTPUTS;
    }
  });
});
