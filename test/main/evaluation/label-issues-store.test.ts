import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LabelIssuesStore } from '../../../src/main/evaluation/label-issues-store';
import { openLabelIssues } from '../../../src/main/evaluation/label-issues-report';
import { tempDir } from '../training/fixtures';

const tmp = tempDir('label-issues-store');
afterAll(() => tmp.cleanup());

// A report as the first version wrote it: no near-duplicates, no neighbour settings or time.
const older = {
  issues: [{ id: 3, path: '/p/cats/a.jpg', split: 'train', given: 'cats', suggested: 'dogs', score: 0.9 }],
  outliers: [],
  folds: 5,
  images: 40,
  classes: ['cats', 'dogs'],
  thresholds: [0.9, 0.9],
  joint: [
    [19, 1],
    [0, 20],
  ],
  kept: 0,
  featuresComputed: 0,
  featuresFromCache: 40,
  seconds: 3,
  createdAt: '2026-12-07T20:00:00.000Z',
};

describe('the stored label-issues report', () => {
  test('a report written before outliers and near-duplicates were added still reads, with none of them', () => {
    const file = join(tmp.dir, 'label-issues.json');
    writeFileSync(file, JSON.stringify({ report: older, kept: [{ imageId: 9, label: 'dogs' }] }));
    const store = new LabelIssuesStore(file);
    expect(store.report()).toMatchObject({ issues: older.issues, nearDuplicates: [], outlierNeighbours: 0, neighbourSeconds: 0 });
    expect(store.isKept(9, 'dogs')).toBe(true);
  });

  test('a group shows its labels of now, and goes when they agree, when a member loses its label, or when all are kept', () => {
    const report = {
      ...new LabelIssuesStore(join(tmp.dir, 'label-issues.json')).report()!,
      nearDuplicates: [
        {
          members: [
            { id: 1, path: '/p/a.jpg', split: 'train' as const, label: 'cats' },
            { id: 2, path: '/p/b.jpg', split: 'train' as const, label: 'dogs' },
            { id: 5, path: '/p/c.jpg', split: 'train' as const, label: 'cats' },
          ],
          similarity: 0.9,
        },
      ],
    };
    const labels = new Map<number, string | null>([
      [1, 'cats'],
      [2, 'dogs'],
      [5, 'birds'],
    ]);
    const current = (id: number): string | null => labels.get(id) ?? null;
    const open = (kept: string[] = []) => openLabelIssues(report, new Set(kept), current).nearDuplicates;
    expect(open()[0]!.members.map((m) => m.label)).toEqual(['cats', 'dogs', 'birds']);
    expect(open(['1:cats', '2:dogs'])).toHaveLength(1);
    expect(open(['1:cats', '2:dogs', '5:birds'])).toHaveLength(0);
    labels.set(2, null);
    expect(open()[0]!.members.map((m) => m.id)).toEqual([1, 5]);
    labels.set(5, 'cats');
    expect(open()).toHaveLength(0);
  });
});
