import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { findExport, loadHelper } from '../lib/helpers';
import { Lds, pickNumber } from '../lib/lds';
import { median, percentile } from '../lib/stats';

export function defineAugmentFigures(ctx: BenchContext): void {
  const n = ctx.settings.augmentVariants;
  ctx.book.define('augment', 'augment.preview.p50', {
    label: `${n} variants of one image after a parameter change, median`,
    unit: 'ms',
    better: 'lower',
    target: { op: '<=', value: 300 },
    detail: 'in-process preview function (bench/augment*), warm',
  });
  ctx.book.define('augment', 'augment.preview.p95', {
    label: `${n} variants, 95th percentile`,
    unit: 'ms',
    better: 'lower',
    target: { op: '<=', value: 300 },
  });
  ctx.book.define('augment', 'augment.cli.seconds', {
    label: `\`lds augment preview --n ${n}\`, whole command`,
    unit: 's',
    better: 'lower',
    detail: 'process start, tfjs start-up, decode, 9 variants, PNG writes',
  });
}

function firstTrainImage(dataset: string): string {
  const dir = join(dataset, 'train', 'cats');
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()[0];
  if (!file) throw new Error(`no JPEG in ${dir}`);
  return join(dir, file);
}

export async function runAugment(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const n = ctx.settings.augmentVariants;
  const image = firstTrainImage(ctx.dataset);
  // The CLI's preview needs a workspace (presets live in the catalogue); use the imported one when there is one.
  const lds = ctx.lds ?? new Lds(ctx.cliPath, join(ctx.work, 'augment-workspace'), { verbose: ctx.verbose, timeoutMs: 120_000 });
  const out = mkdtempSync(join(ctx.work, 'augment-'));
  ctx.log(`augment: lds augment preview --n ${n}`);
  const cli = await lds.run(['augment', 'preview', image, '--preset', 'keras-blog', '--n', String(n), '--seed', '1', '--out', out]);
  if (cli.failure) book.fail('augment.cli.seconds', cli.failure);
  else {
    const written = readdirSync(out).filter((f) => f.endsWith('.png')).length;
    book.set('augment.cli.seconds', cli.seconds, `${written} PNGs written`);
    const ms = pickNumber(cli.json, 'previewMs', 'millis', 'ms', 'elapsedMs');
    if (ms != null) ctx.notes.push(`\`lds augment preview\` reports ${ms.toFixed(0)} ms for the variants themselves.`);
  }

  const helper = await loadHelper(ctx.distDir, 'augment');
  if ('reason' in helper) return book.failUnmeasured('augment', helper.reason);
  const fn = findExport(helper.module, /latency|preview|bench/i);
  if (!fn)
    return book.failUnmeasured(
      'augment',
      `bench/${helper.file} exports no latency function (exports: ${Object.keys(helper.module).join(', ')})`,
    );
  try {
    const raw = (await fn({ image, variants: n, repeats: 20 })) as unknown;
    const samples = latencySamples(raw);
    if (!samples.length)
      return book.failUnmeasured('augment', `bench/${helper.file} returned no samples: ${JSON.stringify(raw).slice(0, 200)}`);
    const source = `bench/${helper.file.replace(/\.mjs$/, '.ts')}`;
    book.set('augment.preview.p50', median(samples), `${source}: augment + PNG-encode, ${samples.length} parameter changes, warm`);
    book.set('augment.preview.p95', percentile(samples, 95));
    const augmentOnly = raw && typeof raw === 'object' ? latencySamples({ samples: (raw as Record<string, unknown>).augmentOnlyMs }) : [];
    if (augmentOnly.length)
      ctx.notes.push(
        `Augmentation preview: the augmentation alone (no PNG encoding) takes ${median(augmentOnly)!.toFixed(0)} ms median for ${n} variants.`,
      );
  } catch (error) {
    book.failUnmeasured('augment', `bench/${helper.file} failed: ${(error as Error).message}`);
  }
}

/** Accepts an array of milliseconds, or an object holding one (samplesMs, samples, timesMs). */
export function latencySamples(raw: unknown): number[] {
  if (Array.isArray(raw)) return raw.filter((v): v is number => typeof v === 'number');
  if (raw && typeof raw === 'object') {
    for (const key of ['samplesMs', 'samples', 'timesMs', 'latenciesMs', 'ms']) {
      const v = (raw as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
    }
  }
  return [];
}
