import type { TrainRequest } from '@shared/contract/training';
import { TRAIN_MODE_DEFAULTS } from '@shared/train-defaults';
import { parseAugmentParams } from '../../augment/params';
import type { TrainConfig, TrainMode } from '../protocol/worker-protocol';

/** `--augment '{"horizontal_flip": true}'`: parameters given inline instead of a preset name. */
function inlineParams(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`--augment: not a preset name nor valid JSON (${(error as Error).message})`, { cause: error });
  }
  parseAugmentParams(raw, '--augment');
  return raw as Record<string, unknown>;
}

/** Augmented copies of each train image a bottleneck run with an augmentation preset extracts features for. */
export const BOTTLENECK_PRESET_VARIANTS = 2;

/** Sane defaults per mode: the shared table (lds train --help shows it), with no augmentation resolved yet. */
export const MODE_DEFAULTS: Record<TrainMode, TrainConfig & { augmentPreset: string }> = {
  scratch: { ...TRAIN_MODE_DEFAULTS.scratch, augment: null },
  bottleneck: { ...TRAIN_MODE_DEFAULTS.bottleneck, augment: null },
  finetune: { ...TRAIN_MODE_DEFAULTS.finetune, augment: null },
};

/** The request's values over the mode's defaults; augmentation resolved from its preset name. */
export function resolveConfig(
  mode: TrainMode,
  request: Omit<Partial<TrainRequest>, 'mode'>,
  presetParams: (name: string) => Record<string, unknown> | null,
): TrainConfig & { augmentPreset: string } {
  const d = MODE_DEFAULTS[mode];
  const augmentPreset = request.augment ?? d.augmentPreset;
  const params =
    augmentPreset === 'none' ? null : augmentPreset.trim().startsWith('{') ? inlineParams(augmentPreset) : presetParams(augmentPreset);
  if (augmentPreset !== 'none' && !params) throw new Error(`no augmentation preset named "${augmentPreset}"`);
  return {
    epochs: request.epochs ?? d.epochs,
    batchSize: request.batchSize ?? d.batchSize,
    learningRate: request.learningRate ?? d.learningRate,
    seed: request.seed ?? d.seed,
    patience: request.patience ?? d.patience,
    inputSize: request.inputSize ?? d.inputSize,
    hidden: request.hidden ?? d.hidden,
    dropout: request.dropout ?? d.dropout,
    augment: params,
    augmentPreset,
    // Bottleneck uses augmentation only through augmented copies of the train features: a preset
    // chosen for it gets two copies unless told otherwise, so choosing one is never a silent no-op.
    augmentVariants: request.augmentVariants ?? (mode === 'bottleneck' && params ? BOTTLENECK_PRESET_VARIANTS : d.augmentVariants),
    cacheVariants: request.cacheVariants ?? d.cacheVariants,
  };
}
