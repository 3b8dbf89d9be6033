import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PredictFilesResult } from '@shared/contract';
import { defineCommand, DEVICE_OPTION, useDeviceOption, UsageError } from '../command';

export default defineCommand({
  forms: ['<run|model-dir> <image|folder>...', '<run> --prelabel'],
  allowPositionals: true,
  options: {
    prelabel: {
      type: 'boolean',
      description: "predict the project's unlabelled images and store the predictions as labels of source predicted",
    },
    ...DEVICE_OPTION,
  },
  async run(ctx) {
    useDeviceOption(ctx);
    const [model, ...inputs] = ctx.positionals;
    if (!model) throw new UsageError('name a run (see `lds runs`) or a model folder');
    if (ctx.values.prelabel === true) {
      if (inputs.length) throw new UsageError('--prelabel predicts the project’s unlabelled images: give no image paths');
      await ctx.openProject();
      const finished = await ctx.runJob(() => ctx.engine.call('predict.prelabel', { runId: model }));
      if (finished.status !== 'succeeded') throw new Error(finished.error ?? `pre-labelling ${finished.status}`);
      const result = finished.result as { labelled: number; skipped: number };
      if (ctx.json) {
        ctx.printJson(result);
        return;
      }
      ctx.out(`pre-labelled ${result.labelled} images as "predicted" (review them in the app: least confident first)`);
      return;
    }
    if (!inputs.length) throw new UsageError('name at least one image or folder');
    const asDir = resolve(ctx.cwd, model);
    const source = existsSync(join(asDir, 'model.json')) ? { modelDir: asDir } : { runId: model };
    if ('runId' in source) await ctx.openProject();
    const paths = inputs.map((p) => resolve(ctx.cwd, p));
    // The model runs in a training process, as in the app: this process never loads TensorFlow.js for it.
    const finished = await ctx.runJob(() => ctx.engine.call('predict.files', { ...source, paths }));
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `prediction ${finished.status}`);
    const { predictions, skipped } = finished.result as PredictFilesResult;
    for (const s of skipped) ctx.err(`skipped ${s.path}: ${s.reason}`);
    if (ctx.json) {
      ctx.printJson({ predictions, skipped });
      return;
    }
    for (const p of predictions) ctx.out(`${p.path}\t${p.class}\t${(p.confidence * 100).toFixed(1)}%`);
  },
});
