import { defineCommand, DEVICE_OPTION, FOLD_TRAINING_OPTIONS, useDeviceOption, numberOption, UsageError } from '../command';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export default defineCommand({
  options: {
    mode: {
      type: 'string',
      value: 'MODE',
      description: 'the recipe trained k times (a head on cached features)',
      allowed: 'bottleneck only',
      default: 'bottleneck',
    },
    k: { type: 'string', value: 'K', description: 'number of folds', default: '5', allowed: 'a whole number from 2 to 20' },
    ...FOLD_TRAINING_OPTIONS,
    ...DEVICE_OPTION,
  },
  async run(ctx) {
    useDeviceOption(ctx);
    const v = ctx.values;
    const mode = (v.mode as string | undefined) ?? 'bottleneck';
    if (mode !== 'bottleneck')
      throw new UsageError(
        `k-fold runs the bottleneck recipe (k trainings of a head on cached features); --mode ${mode} would mean k full trainings`,
      );
    const k = numberOption(v, 'k', (n) => Number.isInteger(n) && n >= 2 && n <= 20, 'a whole number from 2 to 20') ?? 5;
    const epochs = numberOption(v, 'epochs', (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
    const seed = numberOption(v, 'seed', Number.isInteger, 'a whole number');
    await ctx.openProject();
    const finished = await ctx.runJob(() =>
      ctx.engine.call('kfold.start', { mode: 'bottleneck', k, epochs, seed, backbone: v.backbone as string | undefined }),
    );
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `k-fold ${finished.status}`);
    const { assignment: _assignment, ...report } = finished.result as {
      assignment: number[];
      folds: { fold: number; accuracy: number; loss: number; testCount: number }[];
      accuracy: { mean: number; std: number };
      loss: { mean: number; std: number };
      images: number;
    };
    if (ctx.json) {
      ctx.printJson(report);
      return;
    }
    for (const f of report.folds)
      ctx.out(`fold ${f.fold}: accuracy ${pct(f.accuracy)}, loss ${f.loss.toFixed(4)} on ${f.testCount} images`);
    ctx.out(
      `${k}-fold over ${report.images} train + validation images: accuracy ${pct(report.accuracy.mean)} ± ${pct(report.accuracy.std)}, loss ${report.loss.mean.toFixed(4)} ± ${report.loss.std.toFixed(4)}`,
    );
  },
});
