import type { EvalReport } from '@shared/contract';
import { accuracyInterval, formatAccuracy } from '@shared/wilson';
import { defineCommand, DEVICE_OPTION, useDeviceOption, UsageError } from '../command';

/** design.md's eval object (+ roc/auc for two classes): the last line of `lds eval --json`. */
export function evalJson(report: EvalReport): Record<string, unknown> {
  return {
    runId: report.runId,
    split: report.split,
    warning: report.warning,
    count: report.count,
    skipped: report.skipped,
    accuracy: report.accuracy,
    /** 95% Wilson interval of accuracy over count images. */
    accuracyInterval: accuracyInterval(report.accuracy, report.count),
    loss: report.loss,
    classes: report.classes,
    confusion: report.confusion,
    perClass: report.perClass,
    macro: report.macro,
    ...(report.classes.length === 2 ? { roc: report.roc, auc: report.auc } : {}),
  };
}

export default defineCommand({
  forms: ['<run>'],
  allowPositionals: true,
  options: {
    split: {
      type: 'string',
      value: 'SPLIT',
      description: 'the images evaluated (test only on request: looking at it often wears it out)',
      choices: ['validation', 'test'],
      default: 'validation',
    },
    ...DEVICE_OPTION,
  },
  async run(ctx) {
    useDeviceOption(ctx);
    const [runId, ...extra] = ctx.positionals;
    if (!runId || extra.length) throw new UsageError('name exactly one run (see `lds runs`)');
    const split = (ctx.values.split as string | undefined) ?? 'validation';
    if (split !== 'validation' && split !== 'test') throw new UsageError(`--split must be validation or test, got "${split}"`);
    await ctx.openProject();
    const finished = await ctx.runJob(() => ctx.engine.call('eval.start', { runId, split }));
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `evaluation ${finished.status}`);
    const report = finished.result as EvalReport;
    if (report.warning) ctx.err(`warning: ${report.warning}`);
    if (ctx.json) {
      ctx.printJson(evalJson(report));
      return;
    }
    ctx.out(
      `run ${runId} on ${split}: accuracy ${formatAccuracy(report.accuracy, report.count)}, loss ${report.loss.toFixed(4)} over ${report.count} images${report.skipped ? ` (${report.skipped} skipped)` : ''}`,
    );
    const width = Math.max(9, ...report.classes.map((c) => c.length));
    ctx.out(`${'class'.padEnd(width)}  precision  recall     f1  support`);
    for (const c of report.perClass)
      ctx.out(
        `${c.class.padEnd(width)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(5)}  ${String(c.support).padStart(7)}`,
      );
    ctx.out('confusion (rows true, columns predicted):');
    ctx.out(`${''.padEnd(width)}  ${report.classes.map((c) => c.padStart(width)).join(' ')}`);
    report.confusion.forEach((row, i) =>
      ctx.out(`${(report.classes[i] as string).padEnd(width)}  ${row.map((n) => String(n).padStart(width)).join(' ')}`),
    );
    if (report.auc !== null) ctx.out(`ROC AUC (${report.roc?.positive} positive): ${report.auc.toFixed(4)}`);
  },
});
