import { resolve } from 'node:path';
import type { ImportResult } from '@shared/contract';
import { EngineError } from '../../engine/errors';
import { checkUserPath, statBounded } from '../../engine/user-paths';
import { defineCommand, numberOption, UsageError } from '../command';
import { reportLines } from '../report-lines';

export default defineCommand({
  usage: 'import <folder>... [--val-fraction F] [--test-fraction F] [--seed N]',
  allowPositionals: true,
  options: {
    'val-fraction': { type: 'string' },
    'test-fraction': { type: 'string' },
    seed: { type: 'string' },
  },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('name at least one folder to import');
    const fraction = (n: number): boolean => n >= 0 && n <= 0.9;
    const valFraction = numberOption(ctx.values, 'val-fraction', fraction, 'a fraction from 0 to 0.9');
    const testFraction = numberOption(ctx.values, 'test-fraction', fraction, 'a fraction from 0 to 0.9');
    const seed = numberOption(ctx.values, 'seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
    const paths = ctx.positionals.map((p) => resolve(ctx.cwd, p));
    // Before the project is created: a mistyped folder must not leave an empty workspace behind.
    for (const path of paths) {
      await checkUserPath(path, 'import');
      if (!(await statBounded(path))) throw new EngineError('invalid_input', `cannot import ${path}: no such folder or file`);
    }
    const project = await ctx.openProject({ create: true });
    ctx.err(`importing into ${project.dir}`);
    const job = await ctx.runJob(() =>
      ctx.engine.call('library.import', { paths, valFraction, testFraction, seed }),
    );
    if (job.status === 'failed') throw new Error(`import failed: ${job.error ?? 'unknown error'}`);
    const result = job.result as ImportResult | null;
    if (!result) throw new Error('import was cancelled before it started');
    for (const s of result.skipped) ctx.err(`skipped ${s.path}: ${s.reason}`);
    for (const line of reportLines(result.edited, result.conflicts)) ctx.out(line);
    ctx.out(
      `${result.cancelled ? 'cancelled after' : 'done:'} ${result.scanned} files scanned, ${result.added} new images, ` +
        `${result.duplicates} duplicates, ${result.unchanged} unchanged, ${result.skipped.length} skipped` +
        `${result.edited.length ? `, ${result.edited.length} edited in place` : ''}${result.recovered ? `, ${result.recovered} readable again` : ''}` +
        `${result.missing ? `, ${result.missing} gone` : ''}${result.conflicts.length ? `, ${result.conflicts.length} label conflicts` : ''}`,
    );
    if (ctx.json) ctx.printJson(result);
    return result.cancelled ? 130 : 0;
  },
});
