import type { RunInfo } from '@shared/contract';
import { TRAIN_MODE_DEFAULTS } from '@shared/train-defaults';
import { formatAccuracy } from '@shared/wilson';
import { defineCommand, DEVICE_OPTION, numberOption } from '../command';

const MODES = ['scratch', 'bottleneck', 'finetune', 'auto'] as const;

/** A default that depends on the mode, as help shows it: "scratch 50, bottleneck 40, finetune 10". */
function perMode(key: keyof (typeof TRAIN_MODE_DEFAULTS)['scratch']): string {
  const values = Object.entries(TRAIN_MODE_DEFAULTS).map(([mode, d]) => [mode, String(d[key])] as const);
  return new Set(values.map(([, v]) => v)).size === 1 ? (values[0]?.[1] ?? '') : values.map(([mode, v]) => `${mode} ${v}`).join(', ');
}

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
  };
}

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export default defineCommand({
  options: {
    mode: {
      type: 'string',
      value: 'MODE',
      description:
        "scratch: a small CNN; bottleneck: a head on frozen backbone features; finetune: also the backbone's top block; auto: chosen from the data",
      choices: MODES,
      default: 'auto',
    },
    backbone: {
      type: 'string',
      value: 'ID',
      description: 'pretrained backbone for bottleneck and finetune (lds backbones lists them)',
      default: 'the first installed',
    },
    from: { type: 'string', value: 'RUN', description: 'finetune: start from this finished bottleneck run', default: 'the newest one' },
    epochs: {
      type: 'string',
      value: 'N',
      description: 'most epochs (early stopping may end sooner)',
      default: perMode('epochs'),
      allowed: 'a whole number from 1 to 1000',
    },
    batch: {
      type: 'string',
      value: 'N',
      description: 'images per batch',
      default: perMode('batchSize'),
      allowed: 'a whole number from 1 to 1024',
    },
    lr: {
      type: 'string',
      value: 'X',
      description: 'learning rate',
      default: perMode('learningRate'),
      allowed: 'a positive number up to 10',
    },
    augment: {
      type: 'string',
      value: 'PRESET',
      description: 'augmentation preset name, none, or inline JSON parameters',
      default: perMode('augmentPreset'),
    },
    seed: {
      type: 'string',
      value: 'N',
      description: 'random seed (weights, shuffling, augmentation)',
      default: '42',
      allowed: 'a whole number',
    },
    backend: {
      type: 'string',
      value: 'NAME',
      description: 'TensorFlow.js backend (lds doctor lists them)',
      default: 'the fastest available',
    },
    device: { ...DEVICE_OPTION.device, description: 'where the backbone passes run (the Settings choice is left alone)' },
    'input-size': {
      type: 'string',
      value: 'N',
      description: 'scratch: image side in pixels (a backbone sets its own)',
      default: perMode('inputSize'),
      allowed: 'a whole number from 16 to 512',
    },
    patience: {
      type: 'string',
      value: 'N',
      description: 'epochs without a better validation loss before stopping (0: never stop early)',
      default: perMode('patience'),
      allowed: 'a whole number from 0 to 1000',
    },
    hidden: {
      type: 'string',
      value: 'N',
      description: 'units of a hidden dense layer in the head (0: none)',
      default: perMode('hidden'),
      allowed: 'a whole number from 0 to 4096',
    },
    dropout: {
      type: 'string',
      value: 'X',
      description: 'dropout before the last layer',
      default: perMode('dropout'),
      allowed: 'a number from 0 to below 0.95',
    },
    variants: {
      type: 'string',
      value: 'K',
      description: 'bottleneck: augmented variants per image whose features are computed',
      default: perMode('augmentVariants'),
      allowed: 'a whole number from 0 to 32',
    },
    'cache-variants': {
      type: 'string',
      value: 'K',
      description: 'finetune: augmented variants per image cached below the top block',
      default: perMode('cacheVariants'),
      allowed: 'a whole number from 0 to 32',
    },
    holdout: {
      type: 'string',
      value: 'FRACTION',
      description: "share of each class's train images held out to measure accuracy when there is no validation split (0: none)",
      default: '0.15',
      allowed: 'a fraction from 0 to 0.5',
    },
  },
  notes: ['example: lds train --mode bottleneck --epochs 20 --json'],
  async run(ctx) {
    const v = ctx.values;
    // The parser has checked it against MODES.
    const mode = (v.mode as (typeof MODES)[number] | undefined) ?? 'auto';
    const int = (name: string, min = 0): number | undefined =>
      numberOption(v, name, (n) => Number.isInteger(n) && n >= min, `a whole number >= ${min}`);
    const positive = (name: string): number | undefined => numberOption(v, name, (n) => n > 0, 'a positive number');
    await ctx.openProject();
    const imbalance = (await ctx.engine.call('health.imbalance', {})).warning;
    if (imbalance) ctx.err(`warning: ${imbalance}`);
    let runId = '';
    const stopListening = ctx.engine.events.on('run.epoch', (e) => {
      if (e.runId !== runId) return;
      ctx.err(
        `epoch ${e.epoch}: loss ${e.loss?.toFixed(4)} acc ${pct(e.acc)} val_loss ${e.valLoss?.toFixed(4) ?? '-'} val_acc ${pct(e.valAcc)} (${e.seconds?.toFixed(2)} s)`,
      );
    });
    try {
      const finished = await ctx.runJob(async () => {
        const started = await ctx.engine.call('train.start', {
          mode,
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
      // How the run ran (which engine took the forward passes, and why): stderr, so the JSON stays design.md's object.
      const notes = Array.isArray(run.metrics?.notes) ? (run.metrics.notes as unknown[]).filter((n) => typeof n === 'string') : [];
      for (const note of notes) ctx.err(`note: ${note}`);
      if (ctx.json) ctx.printJson(summary);
      else {
        // The catalogue had no validation images: part of train measured accuracy instead.
        const heldOut = run.config.validationHoldout as { images: number } | null | undefined;
        const on = heldOut ? ` (on ${heldOut.images} images held out of train)` : '';
        const acc = run.valAccuracy !== null ? formatAccuracy(run.valAccuracy, run.valCount) : '-';
        const chosen = run.epochChosenOnValidation
          ? ` (epoch ${String(summary.bestEpoch)} chosen on this validation split, so a little optimistic)`
          : '';
        ctx.out(
          `run ${run.id} (${run.mode}, ${run.backend}): validation accuracy ${acc}${on}${chosen} after ${String(summary.epochs)} epochs; model in ${run.modelDir}`,
        );
      }
      return 0;
    } finally {
      stopListening();
    }
  },
});
