import { bytesToMiB } from '../lib/stats';
import type { BenchContext } from '../lib/context';
import { Lds, pickNumber } from '../lib/lds';
import { largestPeak } from '../lib/proc';
import { join } from 'node:path';

export function defineImportFigures(ctx: BenchContext): void {
  const { book } = ctx;
  book.define('import', 'import.seconds', {
    label: 'Import 3000 JPEGs (hash, metadata; thumbnails lazy)',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 30 },
    detail: '`lds import` wall time, fresh workspace, process start included',
  });
  book.define('import', 'import.images', {
    label: 'Images in the catalogue',
    unit: 'count',
    better: 'higher',
    target: { op: '>=', value: 3000 },
    detail: '`lds status --json` after import',
  });
  book.define('import', 'import.again.seconds', {
    label: 'Re-import of the same folder (idempotent)',
    unit: 's',
    better: 'lower',
    detail: 'second `lds import`, nothing new',
  });
  book.define('import', 'import.peakRss', {
    label: 'Peak RSS of the import',
    unit: 'MiB',
    better: 'lower',
    detail: 'VmHWM of the CLI process tree',
  });
}

export async function runImport(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = new Lds(ctx.cliPath, join(ctx.work, 'workspace'), { verbose: ctx.verbose, timeoutMs: 300_000 });
  const missing = lds.available();
  if (missing) return book.failUnmeasured('import', missing);
  ctx.log('import: 3000 images into a fresh workspace');
  const first = await lds.run(['import', ctx.dataset]);
  if (first.failure) return book.failUnmeasured('import', first.failure);
  book.set('import.seconds', first.seconds);
  const peak = largestPeak(first);
  if (peak) book.set('import.peakRss', bytesToMiB(peak.peakRssBytes));
  const status = await lds.run(['status']);
  if (status.failure) book.fail('import.images', status.failure);
  else {
    const images = pickNumber(status.json, 'images');
    book.set('import.images', images, `\`lds status --json\`: ${JSON.stringify(summariseStatus(status.json))}`);
    if (images != null && images > 0) ctx.lds = lds;
    ctx.trainImages = pickNumber(status.json, 'splits.train') ?? ctx.trainImages;
  }
  const again = await lds.run(['import', ctx.dataset]);
  if (again.failure) book.fail('import.again.seconds', again.failure);
  else book.set('import.again.seconds', again.seconds);
}

function summariseStatus(json: Record<string, unknown> | null): Record<string, unknown> {
  if (!json) return {};
  const classes = Array.isArray(json.classes) ? json.classes.length : json.classes;
  return { images: json.images, classes, splits: json.splits, duplicates: json.duplicates, corrupt: json.corrupt };
}
