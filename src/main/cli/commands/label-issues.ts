import { LABEL_ISSUE_EPOCHS, type LabelIssuesReport } from '@shared/contract/curation';
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
    epochs: { ...FOLD_TRAINING_OPTIONS.epochs, default: String(LABEL_ISSUE_EPOCHS) },
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
        nearDuplicates: report.nearDuplicates.map((g) => ({
          members: g.members.map(({ id, path, label }) => ({ id, path, label })),
          similarity: g.similarity,
        })),
        kept: report.kept,
        seconds: report.seconds,
        neighbourSeconds: report.neighbourSeconds,
      });
      return;
    }
    if (!report.issues.length) ctx.out(`no likely label issues among ${report.images} labelled images (${folds}-fold)`);
    for (const i of report.issues) ctx.out(`${i.score.toFixed(3)}  ${i.path}  labelled ${i.given}, looks like ${i.suggested}`);
    if (report.outliers.length) ctx.out(`\nfit no class well (far from their ${report.outlierNeighbours} nearest images in features):`);
    for (const o of report.outliers) ctx.out(`${o.score.toFixed(3)}  ${o.path}  labelled ${o.given}`);
    if (report.nearDuplicates.length) ctx.out('\nnear-duplicates with different labels:');
    for (const g of report.nearDuplicates)
      ctx.out(`similarity ${g.similarity.toFixed(3)}: ${g.members.map((m) => `${m.path} (${m.label})`).join(', ')}`);
    if (report.outliers.length || report.nearDuplicates.length) ctx.out('');
    ctx.out(
      `${report.issues.length} suspected label(s), ${report.outliers.length} outlier(s), ${report.nearDuplicates.length} conflicting near-duplicate group(s) among ${report.images} images (${folds}-fold, ${report.kept} kept by you), ${report.seconds.toFixed(1)} s`,
    );
  },
});
