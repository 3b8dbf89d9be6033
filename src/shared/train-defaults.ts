/**
 * Sane defaults per training mode (the recipe's values where it gives them): what a run uses for
 * anything the request leaves out, and what `lds train --help` shows, from this one table.
 */
export interface ModeDefaults {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  patience: number;
  inputSize: number;
  hidden: number;
  dropout: number;
  /** An augmentation preset name ('none' for none). */
  augmentPreset: string;
  augmentVariants: number;
  cacheVariants: number;
}

export const TRAIN_MODE_DEFAULTS: Record<'scratch' | 'bottleneck' | 'finetune', ModeDefaults> = {
  scratch: {
    epochs: 50,
    batchSize: 16,
    learningRate: 1e-3,
    seed: 42,
    patience: 10,
    inputSize: 150,
    hidden: 0,
    dropout: 0.5,
    augmentPreset: 'keras-blog',
    augmentVariants: 0,
    cacheVariants: 0,
  },
  bottleneck: {
    epochs: 40,
    batchSize: 32,
    learningRate: 1e-3,
    seed: 42,
    patience: 6,
    inputSize: 224,
    hidden: 0,
    dropout: 0.2,
    augmentPreset: 'none',
    augmentVariants: 0,
    cacheVariants: 0,
  },
  // SGD lr 1e-4 momentum 0.9: about a tenth of the original rate, so the pretrained weights move gently.
  finetune: {
    epochs: 10,
    batchSize: 16,
    learningRate: 1e-4,
    seed: 42,
    patience: 3,
    inputSize: 224,
    hidden: 0,
    dropout: 0.2,
    augmentPreset: 'light',
    augmentVariants: 0,
    cacheVariants: 2,
  },
};
