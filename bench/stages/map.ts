import type { BenchContext } from '../lib/context';
import { pickNumber } from '../lib/lds';

export function defineMapFigures(ctx: BenchContext): void {
  const { book } = ctx;
  book.define('map', 'map.layoutSeconds', {
    label: 'layoutSeconds: PCA to 50 + seeded UMAP of every image',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 10 },
  });
  book.define('map', 'map.seconds', {
    label: 'Whole `lds map` job (features from the cache the bottleneck stage filled)',
    unit: 's',
    better: 'lower',
  });
  book.define('map', 'map.images', { label: 'Images laid out', unit: 'plain', better: 'higher' });
  book.define('map', 'map.featuresComputed', { label: 'Features computed (0: all came from the cache)', unit: 'plain', better: 'lower' });
}

/** `lds map` on the imported workspace, after the bottleneck stage cached the features of train + validation. */
export async function runMap(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = ctx.lds;
  if (!lds) return book.failUnmeasured('map', 'no imported workspace (the import stage failed or was skipped)');
  ctx.log('map: lds map --seed 42');
  const run = await lds.run(['map', '--seed', '42']);
  if (run.failure) return book.failUnmeasured('map', run.failure);
  book.set('map.layoutSeconds', pickNumber(run.json, 'layoutSeconds'));
  book.set('map.seconds', pickNumber(run.json, 'seconds'));
  book.set('map.images', pickNumber(run.json, 'images'));
  book.set('map.featuresComputed', pickNumber(run.json, 'featuresComputed'));
}
