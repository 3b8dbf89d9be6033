import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { hammingDistance, perceptualHash } from '../../../src/main/images/phash';
import { copyCatsDogs, RESOURCES, tempDir } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';

// 15 train + 5 validation real photos per class, plus two altered copies of one training cat placed
// in the validation split: one resized to 60 %, one re-encoded as a low-quality JPEG.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let original = '';

beforeAll(async () => {
  tmp = tempDir('health');
  const photos = copyCatsDogs(tmp.dir, 15, 5);
  original = join(photos, 'train', 'cats', readdirSync(join(photos, 'train', 'cats')).sort()[3] as string);
  const meta = await sharp(original).metadata();
  const target = join(photos, 'validation', 'cats');
  mkdirSync(target, { recursive: true });
  await sharp(original)
    .resize(Math.round((meta.width as number) * 0.6))
    .jpeg({ quality: 90 })
    .toFile(join(target, 'copy-resized.jpg'));
  await sharp(original).jpeg({ quality: 35 }).toFile(join(target, 'copy-reencoded.jpg'));
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
  await engine.call('project.open', { dir: join(tmp.dir, 'ws'), create: true });
  const job = await engine.jobs.wait((await engine.call('library.import', { paths: [photos] })).jobId);
  if (job.status !== 'succeeded') throw new Error(job.error ?? 'import failed');
}, 60_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('data health', () => {
  test('a resized and a re-encoded copy in another split are found as leaks, and nothing else is', async () => {
    const health = await engine.call('health.check', {});
    const catalogue = engine.projects.require().catalogue;
    const pathOf = (id: number): string => catalogue.images.primaryPath(id) as string;
    const pairs = health.leaks.map((l) => [pathOf(l.a), pathOf(l.b)].map((p) => p.split('/').pop()).sort());
    const name = original.split('/').pop() as string;
    expect(pairs).toEqual(expect.arrayContaining([[name, 'copy-resized.jpg'].sort(), [name, 'copy-reencoded.jpg'].sort()]));
    // The two copies share the validation split: a duplicate, but not a leak across splits.
    expect(health.leaks).toHaveLength(2);
    for (const l of health.leaks) expect(new Set([l.splitA, l.splitB])).toEqual(new Set(['train', 'validation']));
    expect(health.hashed).toBe(42);
    expect(health.imbalance).toEqual({ ratio: 1, warning: null });
    // The Library's leak filter lists exactly the images of those pairs.
    const flagged = await engine.call('library.list', { filter: 'leak' });
    expect(flagged.map((i) => i.id).sort((a, b) => a - b)).toEqual(
      [...new Set(health.leaks.flatMap((l) => [l.a, l.b]))].sort((a, b) => a - b),
    );
    expect(flagged).toHaveLength(3);
    // Hashes are cached by content: a second check hashes nothing and says the same.
    const started = performance.now();
    expect((await engine.call('health.check', {})).leaks).toEqual(health.leaks);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('lds status --json adds the leak count and pairs to its object', async () => {
    const { code, stdout } = await runLds(tmp.dir, ['status', '--json']);
    expect(code).toBe(0);
    const json = lastJson(stdout);
    expect(json).toMatchObject({ images: 42, duplicates: 0, leaks: 2 });
    expect(json.leakPairs).toHaveLength(2);
  });

  test('class imbalance is warned about with the class names', async () => {
    const cats = (await engine.call('library.classes', {})).find((c) => c.name === 'cats')!;
    const train = await engine.call('library.list', { classId: cats.id, split: 'train' });
    await engine.call('library.applySplits', { entries: train.slice(0, 11).map((i) => ({ imageId: i.id, split: 'unassigned' as const })) });
    const { imbalance } = await engine.call('health.check', {});
    expect(await engine.call('health.imbalance', {})).toEqual(imbalance);
    expect(imbalance.ratio).toBeCloseTo(15 / 4, 6);
    expect(imbalance.warning).toMatch(/dogs has 15 training images, cats 4/);
  });

  test('hash distances: altered copies are close, different photos far', async () => {
    const cats = join(tmp.dir, 'photos', 'train', 'cats');
    const [a, b] = readdirSync(cats).sort();
    const h1 = await perceptualHash(join(cats, a as string));
    const h2 = await perceptualHash(join(cats, b as string));
    expect(hammingDistance(h1.phash, h2.phash)).toBeGreaterThan(10);
    expect(hammingDistance(h1.phash, h1.phash)).toBe(0);
    await expect(perceptualHash(join(tmp.dir, 'nope.jpg'))).rejects.toThrow(/nope\.jpg/);
  });
});
