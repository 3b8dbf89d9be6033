import { resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '@shared/contract';
import { defineCommand, UsageError } from '../command';

export default defineCommand({
  forms: ['<run> --out DIR [--format tfjs|tm|onnx]', '--dataset --out DIR'],
  allowPositionals: true,
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', description: 'folder to export to (required)' },
    format: {
      type: 'string',
      short: 'f',
      value: 'FORMAT',
      description:
        "tfjs: TF.js layers model with the app's scaling; tm: the same for Teachable Machine's own loader; onnx: one model.onnx with labels and preprocessing in its metadata",
      choices: EXPORT_FORMATS,
      default: 'tfjs',
    },
    dataset: { type: 'boolean', description: "export the project's images as split/class folders with a labels.csv, instead of a run" },
  },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    // The parser has checked it against EXPORT_FORMATS.
    const format = (ctx.values.format as ExportFormat | undefined) ?? 'tfjs';
    if (!out) throw new UsageError('--out DIR is required');
    const outDir = resolve(ctx.cwd, out);
    await ctx.openProject();
    if (ctx.values.dataset === true) {
      if (ctx.values.format !== undefined)
        throw new UsageError('--format applies to a run’s model; --dataset always writes split/class/file folders');
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
