import { defineCommand, DEVICE_OPTION, useDeviceOption, numberOption, UsageError } from '../command';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export default defineCommand({
  usage: 'kfold --mode bottleneck --k K [--epochs N] [--seed N] [--backbone ID] [--device NAME] [--json]',
  options: { mode: { type: 'string' }, k: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' }, backbone: { type: 'string' }, ...DEVICE_OPTION },
  async run(ctx) {
    useDeviceOption(ctx);
    const v = ctx.values;
    const mode = (v.mode as string | undefined) ?? 'bottleneck';
    if (mode !== 'bottleneck') throw new UsageError(`k-fold runs the bottleneck recipe (k trainings of a head on cached features); --mode ${mode} would mean k full trainings`);
    const k = numberOption(v, 'k', (n) => Number.isInteger(n) && n >= 2 && n <= 20, 'a whole number from 2 to 20') ?? 5;
    const epochs = numberOption(v, 'epochs', (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
    const seed = numberOption(v, 'seed', Number.isInteger, 'a whole number');
    await ctx.openProject();
    const finished = await ctx.runJob(() => ctx.engine.call('kfold.start', { mode: 'bottleneck', k, epochs, seed, backbone: v.backbone as string | undefined }));
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `k-fold ${finished.status}`);
    const { assignment: _assignment, ...report } = finished.result as { assignment: number[]; folds: { fold: number; accuracy: number; loss: number; testCount: number }[]; accuracy: { mean: number; std: number }; loss: { mean: number; std: number }; images: number };
    if (ctx.json) {
      ctx.printJson(report);
      return;
    }
    for (const f of report.folds) ctx.out(`fold ${f.fold}: accuracy ${pct(f.accuracy)}, loss ${f.loss.toFixed(4)} on ${f.testCount} images`);
    ctx.out(`${k}-fold over ${report.images} train + validation images: accuracy ${pct(report.accuracy.mean)} ± ${pct(report.accuracy.std)}, loss ${report.loss.mean.toFixed(4)} ± ${report.loss.std.toFixed(4)}`);
  },
});
