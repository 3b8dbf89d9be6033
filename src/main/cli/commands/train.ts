import type { RunInfo } from '@shared/contract';
import { formatAccuracy } from '@shared/wilson';
import { defineCommand, numberOption, UsageError } from '../command';

const MODES = ['scratch', 'bottleneck', 'finetune', 'auto'] as const;

/** design.md's train object: the last line of `lds train --json`. */
export function trainJson(run: RunInfo): Record<string, unknown> {
  const m = run.metrics ?? {};
  const num = (key: string): number | null => (typeof m[key] === 'number' ? (m[key] as number) : null);
  return {
    runId: run.id,
    mode: run.mode,
    backend: run.backend,
    backbone: run.backboneId,
    epochs: num('epochs') ?? run.epochs.length,
    trainAccuracy: num('trainAccuracy'),
    valAccuracy: num('valAccuracy'),
    /** 95% Wilson interval of valAccuracy over valCount images. */
    valAccuracyInterval: run.valAccuracyInterval ?? null,
    valCount: run.valCount ?? null,
    bestEpoch: num('bestEpoch'),
    epochChosenOnValidation: run.epochChosenOnValidation ?? false,
    valLoss: num('valLoss'),
    secondsPerEpoch: num('secondsPerEpoch'),
    featureSeconds: num('featureSeconds'),
    imagesPerSecond: num('imagesPerSecond'),
    /** Which engine ran the backbone's forward passes (ONNX Runtime or TF.js, and why). */
    forward: Array.isArray(m.forward) ? m.forward : [],
    notes: Array.isArray(m.notes) ? m.notes : [],
  };
}

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export default defineCommand({
  usage:
    'train --mode scratch|bottleneck|finetune|auto [--backbone ID] [--from RUN] [--epochs N] [--batch N] [--lr X] [--augment PRESET] [--seed N] [--backend NAME] [--device NAME] [--input-size N] [--patience N] [--hidden N] [--dropout X] [--variants K] [--cache-variants K] [--holdout FRACTION]',
  options: {
    mode: { type: 'string' },
    backbone: { type: 'string' },
    from: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    augment: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    device: { type: 'string' },
    'input-size': { type: 'string' },
    patience: { type: 'string' },
    hidden: { type: 'string' },
    dropout: { type: 'string' },
    variants: { type: 'string' },
    'cache-variants': { type: 'string' },
    holdout: { type: 'string' },
  },
  async run(ctx) {
    const v = ctx.values;
    const mode = (v.mode as string | undefined) ?? 'auto';
    if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${mode}"`);
    const int = (name: string, min = 0): number | undefined => numberOption(v, name, (n) => Number.isInteger(n) && n >= min, `a whole number >= ${min}`);
    const positive = (name: string): number | undefined => numberOption(v, name, (n) => n > 0, 'a positive number');
    await ctx.openProject();
    const imbalance = (await ctx.engine.call('health.imbalance', {})).warning;
    if (imbalance) ctx.err(`warning: ${imbalance}`);
    let runId = '';
    const stopListening = ctx.engine.events.on('run.epoch', (e) => {
      if (e.runId !== runId) return;
      ctx.err(`epoch ${e.epoch}: loss ${e.loss?.toFixed(4)} acc ${pct(e.acc)} val_loss ${e.valLoss?.toFixed(4) ?? '-'} val_acc ${pct(e.valAcc)} (${e.seconds?.toFixed(2)} s)`);
    });
    try {
      const finished = await ctx.runJob(async () => {
        const started = await ctx.engine.call('train.start', {
          mode: mode as (typeof MODES)[number],
          backbone: v.backbone as string | undefined,
          from: v.from as string | undefined,
          epochs: int('epochs', 1),
          batchSize: int('batch', 1),
          learningRate: positive('lr'),
          augment: v.augment as string | undefined,
          seed: numberOption(v, 'seed', Number.isInteger, 'a whole number'),
          backend: v.backend as string | undefined,
          device: v.device as string | undefined,
          inputSize: int('input-size', 16),
          patience: int('patience'),
          hidden: int('hidden'),
          dropout: numberOption(v, 'dropout', (n) => n >= 0 && n < 1, 'a number from 0 to below 1'),
          augmentVariants: int('variants'),
          cacheVariants: int('cache-variants'),
          holdout: numberOption(v, 'holdout', (n) => n >= 0 && n <= 0.5, 'a fraction from 0 to 0.5'),
        });
        runId = started.runId;
        ctx.err(`run ${started.runId}: ${started.reason}`);
        if (started.holdout) ctx.err(`note: ${started.holdout.message}`);
        return started;
      });
      const run = await ctx.engine.call('runs.get', { id: runId });
      if (finished.status !== 'succeeded') throw new Error(run.error ?? finished.error ?? `training ${finished.status}`);
      const summary = trainJson(run);
      for (const note of summary.notes as string[]) ctx.err(`note: ${note}`);
      if (ctx.json) ctx.printJson(summary);
      else {
        // The catalogue had no validation images: part of train measured accuracy instead.
        const heldOut = run.config.validationHoldout as { images: number } | null | undefined;
        const on = heldOut ? ` (on ${heldOut.images} images held out of train)` : '';
        const acc = run.valAccuracy !== null ? formatAccuracy(run.valAccuracy, run.valCount) : '-';
        const chosen = run.epochChosenOnValidation ? ` (epoch ${String(summary.bestEpoch)} chosen on this validation split, so a little optimistic)` : '';
        ctx.out(`run ${run.id} (${run.mode}, ${run.backend}): validation accuracy ${acc}${on}${chosen} after ${String(summary.epochs)} epochs; model in ${run.modelDir}`);
      }
      return 0;
    } finally {
      stopListening();
    }
  },
});
