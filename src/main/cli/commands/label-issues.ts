import type { LabelIssuesReport } from '@shared/contract/curation';
import { defineCommand, DEVICE_OPTION, FOLD_TRAINING_OPTIONS, useDeviceOption, numberOption } from '../command';

export default defineCommand({
  options: {
    folds: {
      type: 'string',
      value: 'K',
      description: 'folds: each image is judged by a head that never saw it',
      default: '5',
      allowed: 'a whole number from 2 to 20',
    },
    ...FOLD_TRAINING_OPTIONS,
    ...DEVICE_OPTION,
  },
  async run(ctx) {
    useDeviceOption(ctx);
    const v = ctx.values;
    const folds = numberOption(v, 'folds', (n) => Number.isInteger(n) && n >= 2 && n <= 20, 'a whole number from 2 to 20') ?? 5;
    const epochs = numberOption(v, 'epochs', (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
    const seed = numberOption(v, 'seed', Number.isInteger, 'a whole number');
    await ctx.openProject();
    const finished = await ctx.runJob(() =>
      ctx.engine.call('labelIssues.find', { folds, epochs, seed, backbone: v.backbone as string | undefined }),
    );
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `label issues ${finished.status}`);
    const report = finished.result as LabelIssuesReport;
    if (ctx.json) {
      ctx.printJson({
        issues: report.issues.map(({ id, path, given, suggested, score }) => ({ id, path, given, suggested, score })),
        folds: report.folds,
        images: report.images,
        outliers: report.outliers.map(({ id, path, given, score }) => ({ id, path, given, score })),
        kept: report.kept,
        seconds: report.seconds,
      });
      return;
    }
    if (!report.issues.length) ctx.out(`no likely label issues among ${report.images} labelled images (${folds}-fold)`);
    for (const i of report.issues) ctx.out(`${i.score.toFixed(3)}  ${i.path}  labelled ${i.given}, looks like ${i.suggested}`);
    if (report.outliers.length)
      ctx.out(
        `${report.outliers.length} image(s) fit no class well; worst: ${report.outliers
          .slice(0, 5)
          .map((o) => o.path)
          .join(', ')}`,
      );
    ctx.out(
      `${report.issues.length} suspected label(s) among ${report.images} images (${folds}-fold, ${report.kept} kept by you), ${report.seconds.toFixed(1)} s`,
    );
  },
});
