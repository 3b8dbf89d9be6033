import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '@shared/random';
import type { Engine } from '../../../src/main/engine/engine';
import { engineWithCatsDogs, tempDir } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';

// 60 cats + 60 dogs in train; 6 labels (3 each way, 5%) flipped by a seeded draw.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
const flipped = new Set<number>();

beforeAll(async () => {
  tmp = tempDir('label-issues');
  engine = await engineWithCatsDogs(tmp.dir, 60, 0);
  const classes = await engine.call('library.classes', {});
  const random = seededRandom(18);
  const entries = [];
  const [cats, dogs] = [classes[0]!, classes[1]!];
  for (const [c, other] of [
    [cats, dogs],
    [dogs, cats],
  ] as const) {
    const ids = (await engine.call('library.list', { classId: c.id, split: 'train' })).map((i) => i.id);
    while (entries.filter((e) => e.classId === other.id).length < 3) {
      const id = ids[Math.floor(random() * ids.length)]!;
      if (flipped.has(id)) continue;
      flipped.add(id);
      entries.push({ imageId: id, classId: other.id });
    }
  }
  await engine.call('library.applyLabels', { entries });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('label issues by confident learning', () => {
  test('most of 6 flipped labels among 120 images rank at the top of `lds label-issues --json`', async () => {
    const { code, stdout, stderr } = await runLds(tmp.dir, ['label-issues', '--folds', '4', '--epochs', '15', '--seed', '3', '--json']);
    expect(code, stderr).toBe(0);
    const json = lastJson(stdout) as {
      issues: { id: number; path: string; given: string; suggested: string; score: number }[];
      folds: number;
      images: number;
    };
    expect(json.folds).toBe(4);
    expect(json.images).toBe(120);
    expect(Object.keys(json.issues[0]!).sort()).toEqual(['given', 'id', 'path', 'score', 'suggested']);
    const scores = json.issues.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    json.issues.forEach((i) => expect(i.suggested).not.toBe(i.given));
    const top = json.issues.slice(0, 10).map((i) => i.id);
    const found = top.filter((id) => flipped.has(id)).length;
    expect(found, `flipped in the top 10: ${found}; top ids ${top.join(',')}`).toBeGreaterThanOrEqual(5);
    // A flipped cat is labelled dogs and suggested back as cats.
    const first = json.issues.find((i) => flipped.has(i.id))!;
    expect(first.path).toContain(`/${first.suggested}/`);
  }, 120_000);

  test('keeping a label hides it from the queue and survives; undo brings it back; relabelling removes it', async () => {
    const report = (await engine.call('labelIssues.get', {}))!;
    expect(report.issues.length).toBeGreaterThan(1);
    const [a, b] = report.issues as [(typeof report.issues)[number], (typeof report.issues)[number]];
    expect(await engine.call('labelIssues.keep', { imageId: a.id })).toEqual({ kept: 1 });
    let now = (await engine.call('labelIssues.get', {}))!;
    expect(now.issues.map((i) => i.id)).not.toContain(a.id);
    expect(now.kept).toBe(1);
    // Remembered on disk: a fresh CLI process sees the same queue.
    await engine.call('labelIssues.keep', { imageId: a.id, keep: false });
    now = (await engine.call('labelIssues.get', {}))!;
    expect(now.issues.map((i) => i.id)).toContain(a.id);
    const classes = await engine.call('library.classes', {});
    const suggested = classes.find((c) => c.name === b.suggested)!;
    await engine.call('library.applyLabels', { entries: [{ imageId: b.id, classId: suggested.id }] });
    now = (await engine.call('labelIssues.get', {}))!;
    expect(now.issues.map((i) => i.id)).not.toContain(b.id);
    expect(now.issues).toHaveLength(report.issues.length - 1);
  });

  test('odd requests get clear answers', async () => {
    const bad = await engine.invoke('labelIssues.find', { folds: 1 });
    expect(bad.ok).toBe(false);
    const tooMany = await runLds(tmp.dir, ['label-issues', '--folds', '200']);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toContain('--folds');
    const noLabel = await engine.invoke('labelIssues.keep', { imageId: 999999 });
    expect(noLabel).toMatchObject({ ok: false, error: { message: 'image 999999 has no label to keep' } });
  });
});
