import type { TrainRequest } from '@shared/contract/training';
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

/** Sane defaults per mode (the recipe's values where it gives them). */
export const MODE_DEFAULTS: Record<TrainMode, TrainConfig & { augmentPreset: string }> = {
  scratch: { epochs: 50, batchSize: 16, learningRate: 1e-3, seed: 42, patience: 10, inputSize: 150, hidden: 0, dropout: 0.5, augment: null, augmentPreset: 'keras-blog', augmentVariants: 0, cacheVariants: 0 },
  bottleneck: { epochs: 40, batchSize: 32, learningRate: 1e-3, seed: 42, patience: 6, inputSize: 224, hidden: 0, dropout: 0.2, augment: null, augmentPreset: 'none', augmentVariants: 0, cacheVariants: 0 },
  // SGD lr 1e-4 momentum 0.9: about a tenth of the original rate, so the pretrained weights move gently.
  finetune: { epochs: 10, batchSize: 16, learningRate: 1e-4, seed: 42, patience: 3, inputSize: 224, hidden: 0, dropout: 0.2, augment: null, augmentPreset: 'light', augmentVariants: 0, cacheVariants: 2 },
};

/** The request's values over the mode's defaults; augmentation resolved from its preset name. */
export function resolveConfig(
  mode: TrainMode,
  request: Omit<Partial<TrainRequest>, 'mode'>,
  presetParams: (name: string) => Record<string, unknown> | null,
): TrainConfig & { augmentPreset: string } {
  const d = MODE_DEFAULTS[mode];
  const augmentPreset = request.augment ?? d.augmentPreset;
  const params = augmentPreset === 'none' ? null : augmentPreset.trim().startsWith('{') ? inlineParams(augmentPreset) : presetParams(augmentPreset);
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
