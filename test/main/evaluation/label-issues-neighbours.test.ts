import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { copyCatsDogs, RESOURCES, tempDir } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';

// 20 real cats and 20 real dogs, plus two planted pictures: a diagram drawn with sharp (no cat, no dog,
// not a photo) filed under cats, and a resized, re-encoded, cropped copy of a real cat filed under dogs.
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let photos: string;

const DIAGRAM = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
  <rect width="320" height="240" fill="#ffffff"/>
  <rect x="30" y="140" width="40" height="80" fill="#1f77b4"/><rect x="90" y="90" width="40" height="130" fill="#ff7f0e"/>
  <rect x="150" y="40" width="40" height="180" fill="#2ca02c"/><rect x="210" y="120" width="40" height="100" fill="#d62728"/>
  <line x1="20" y1="220" x2="300" y2="220" stroke="#000" stroke-width="3"/>
  <text x="40" y="30" font-size="22" font-family="sans-serif">Quarterly sales</text>
</svg>`;

interface Json {
  issues: { id: number; path: string; given: string; suggested: string; score: number }[];
  folds: number;
  outliers: { id: number; path: string; given: string; score: number }[];
  nearDuplicates: { members: { id: number; path: string; label: string }[]; similarity: number }[];
}

beforeAll(async () => {
  tmp = tempDir('label-issues-neighbours');
  photos = copyCatsDogs(tmp.dir, 20, 0);
  await sharp(Buffer.from(DIAGRAM)).png().toFile(join(photos, 'train/cats/diagram.png'));
  const original = join(photos, 'train/cats/cat.1.jpg');
  const { width, height } = await sharp(original).metadata();
  const [dx, dy] = [Math.round(width! * 0.03), Math.round(height! * 0.03)];
  await sharp(original)
    .extract({ left: dx, top: dy, width: width! - dx, height: height! - dy })
    .resize(Math.round(width! * 0.6))
    .jpeg({ quality: 70 })
    .toFile(join(photos, 'train/dogs/copy-of-cat.1.jpg'));
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
  await engine.call('project.open', { dir: join(tmp.dir, 'ws'), create: true });
  const { jobId } = await engine.call('library.import', { paths: [photos] });
  expect((await engine.jobs.wait(jobId)).status).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('outliers and conflicting near-duplicates in the label-issues report (real images, real features)', () => {
  let json: Json;

  test('`lds label-issues --json` keeps issues and folds and adds outliers and near-duplicate groups', async () => {
    const { code, stdout, stderr } = await runLds(tmp.dir, ['label-issues', '--folds', '4', '--epochs', '10', '--seed', '3', '--json']);
    expect(code, stderr).toBe(0);
    json = lastJson(stdout) as Json;
    expect(json.folds).toBe(4);
    expect(Array.isArray(json.issues)).toBe(true);
    expect(Object.keys(json.outliers[0]!).sort()).toEqual(['given', 'id', 'path', 'score']);
    expect(Object.keys(json.nearDuplicates[0]!).sort()).toEqual(['members', 'similarity']);
  }, 120_000);

  test('the planted diagram is the most outlying image, scores in 0..1 and sorted', () => {
    expect(json.outliers[0]!.path).toBe(join(photos, 'train/cats/diagram.png'));
    expect(json.outliers[0]!.given).toBe('cats');
    const scores = json.outliers.map((o) => o.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const s of scores) {
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(1);
    }
    // The fence (or the top 1%) keeps the list short: the odd ones out, not a ranking of everything.
    expect(json.outliers.length).toBeLessThanOrEqual(5);
  });

  test('the cropped, re-encoded copy and its original form the one group, with their labels; distinct pictures form none', () => {
    expect(json.nearDuplicates).toHaveLength(1);
    const group = json.nearDuplicates[0]!;
    expect(group.members.map((m) => [m.path, m.label])).toEqual([
      [join(photos, 'train/cats/cat.1.jpg'), 'cats'],
      [join(photos, 'train/dogs/copy-of-cat.1.jpg'), 'dogs'],
    ]);
    expect(group.similarity).toBeGreaterThanOrEqual(0.85);
    expect(group.similarity).toBeLessThanOrEqual(1);
  });

  test('the text output names the outliers and the group', async () => {
    const { code, stdout } = await runLds(tmp.dir, ['label-issues', '--folds', '4', '--epochs', '10', '--seed', '3']);
    expect(code).toBe(0);
    expect(stdout).toContain('fit no class well');
    expect(stdout).toMatch(/\d\.\d{3} {2}.*diagram\.png {2}labelled cats/);
    expect(stdout).toContain(`near-duplicates with different labels:\nsimilarity 0.`);
    expect(stdout).toContain(`cat.1.jpg (cats), ${join(photos, 'train/dogs/copy-of-cat.1.jpg')} (dogs)`);
    expect(stdout).toMatch(/1 conflicting near-duplicate group\(s\) among 42 images/);
  }, 120_000);

  test('keeping every member hides a group, undoing brings it back; one label for all resolves it', async () => {
    const report = (await engine.call('labelIssues.get', {}))!;
    const [cat, copy] = report.nearDuplicates[0]!.members.map((m) => m.id) as [number, number];
    await engine.call('labelIssues.keep', { imageId: cat });
    expect((await engine.call('labelIssues.get', {}))!.nearDuplicates).toHaveLength(1);
    await engine.call('labelIssues.keep', { imageId: copy });
    expect((await engine.call('labelIssues.get', {}))!.nearDuplicates).toHaveLength(0);
    await engine.call('labelIssues.keep', { imageId: copy, keep: false });
    await engine.call('labelIssues.keep', { imageId: cat, keep: false });
    expect((await engine.call('labelIssues.get', {}))!.nearDuplicates).toHaveLength(1);

    const cats = (await engine.call('library.classes', {})).find((c) => c.name === 'cats')!;
    await engine.call('library.applyLabels', { entries: [{ imageId: copy, classId: cats.id }] });
    const after = (await engine.call('labelIssues.get', {}))!;
    expect(after.nearDuplicates).toHaveLength(0);
    expect(after.outliers[0]!.path).toBe(join(photos, 'train/cats/diagram.png'));
  });
});
