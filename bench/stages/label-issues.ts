/**
 * Label issues on the full set (issue 18): flip 5% of the training labels (seeded), ask
 * `lds label-issues` for its ranking, score the top 100 against the flipped images, then put the
 * labels back so later stages see the dataset as imported. Runs after the bottleneck and map stages,
 * so the features are cached and the time measured is the k folds of head training plus the
 * arithmetic, of which the feature-neighbour search (outliers, near-duplicates) is reported apart.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@shared/random';
import type { BenchContext } from '../lib/context';
import { pickNumber } from '../lib/lds';

const FLIP_FRACTION = 0.05;
const TOP = 100;
const SEED = 18;

export function defineLabelIssueFigures(ctx: BenchContext): void {
  const { book } = ctx;
  book.define('labelIssues', 'labelIssues.precisionTop100', {
    label: `Precision of the top ${TOP} issues (5% of train labels flipped, seeded)`,
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.8 },
  });
  book.define('labelIssues', 'labelIssues.recallTop100', {
    label: `Recall of the flipped images within the top ${TOP}`,
    unit: 'accuracy',
    better: 'higher',
  });
  book.define('labelIssues', 'labelIssues.seconds', {
    label: '`lds label-issues --folds 5` with features cached: seconds',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 60 },
    detail: 'the k-fold job time the command reports',
  });
  book.define('labelIssues', 'labelIssues.neighbourSeconds', {
    label: 'Of those, the feature-neighbour search (outliers, near-duplicates): seconds',
    unit: 's',
    better: 'lower',
    detail: 'cosine k-nearest neighbours of every labelled image, one blocked matrix product',
  });
}

export async function runLabelIssues(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = ctx.lds;
  if (!lds) return book.failUnmeasured('labelIssues', 'no imported workspace (the import stage failed or was skipped)');
  const random = seededRandom(SEED);
  const classes = ['cats', 'dogs'];
  const flips = classes.map((cls) => {
    const dir = join(ctx.dataset, 'train', cls);
    const files = readdirSync(dir)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => join(dir, f));
    const count = Math.round(files.length * FLIP_FRACTION);
    const picked = new Set<string>();
    while (picked.size < count) picked.add(files[Math.floor(random() * files.length)] as string);
    return { cls, other: classes.find((c) => c !== cls) as string, paths: [...picked] };
  });
  const relabel = async (paths: string[], cls: string): Promise<string | null> =>
    (await lds.run(['label', ...paths, '--class', cls])).failure;
  try {
    for (const f of flips) {
      const failure = await relabel(f.paths, f.other);
      if (failure) return book.failUnmeasured('labelIssues', failure);
    }
    const result = await lds.run(['label-issues', '--folds', '5']);
    if (result.failure) return book.failUnmeasured('labelIssues', result.failure);
    const issues = (result.json?.issues ?? []) as { path: string }[];
    const flipped = new Set(flips.flatMap((f) => f.paths));
    const hits = issues.slice(0, TOP).filter((i) => flipped.has(i.path)).length;
    book.set(
      'labelIssues.precisionTop100',
      hits / Math.min(TOP, Math.max(1, issues.length)),
      `${hits} of the top ${Math.min(TOP, issues.length)} were flipped`,
    );
    book.set('labelIssues.recallTop100', hits / flipped.size, `${hits} of ${flipped.size} flipped images found`);
    book.set('labelIssues.seconds', pickNumber(result.json, 'seconds'));
    const outliers = Array.isArray(result.json?.outliers) ? result.json.outliers.length : 0;
    const groups = Array.isArray(result.json?.nearDuplicates) ? result.json.nearDuplicates.length : 0;
    book.set(
      'labelIssues.neighbourSeconds',
      pickNumber(result.json, 'neighbourSeconds'),
      `${outliers} outliers, ${groups} near-duplicate groups with different labels`,
    );
  } finally {
    // Back as imported, whatever happened above.
    for (const f of flips) await relabel(f.paths, f.cls);
  }
}
