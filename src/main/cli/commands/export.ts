import { resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '@shared/contract';
import { defineCommand, UsageError } from '../command';

function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export default defineCommand({
  usage: 'export <run> --out DIR [--format tfjs|tm|onnx]  |  export --dataset --out DIR',
  allowPositionals: true,
  options: { out: { type: 'string', short: 'o' }, dataset: { type: 'boolean' }, format: { type: 'string', short: 'f' } },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    const format = (ctx.values.format as string | undefined) ?? 'tfjs';
    if (!isExportFormat(format)) throw new UsageError(`--format ${format}: use one of ${EXPORT_FORMATS.join(', ')}`);
    if (!out) throw new UsageError('--out DIR is required');
    const outDir = resolve(ctx.cwd, out);
    await ctx.openProject();
    if (ctx.values.dataset === true) {
      if (ctx.values.format !== undefined) throw new UsageError('--format applies to a run’s model; --dataset always writes split/class/file folders');
      if (ctx.positionals.length) throw new UsageError('--dataset exports the project’s images: give no run');
      const result = await ctx.engine.call('export.dataset', { outDir });
      if (ctx.json) {
      ctx.printJson(result);
      return;
    }
      ctx.out(`exported ${result.images} images to ${result.dir} (split/class/file, labels.csv)`);
      return;
    }
    const [runId, ...extra] = ctx.positionals;
    if (!runId || extra.length) throw new UsageError('name exactly one run (see `lds runs`), or pass --dataset');
    const result = await ctx.engine.call('export.model', { runId, outDir, format });
    if (ctx.json) {
      ctx.printJson(result);
      return;
    }
    ctx.out(`exported run ${runId} (${result.format}) to ${result.dir}: ${result.files.join(', ')}`);
  },
});
