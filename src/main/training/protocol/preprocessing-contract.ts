import { z } from 'zod';

import { RESIZE_MODES } from '@shared/contract/project';

/**
 * How pixels become a model's input. Every backbone (and the scratch CNN) declares one; training,
 * preview, prediction and export all go through preprocess() below, and exported metadata.json
 * carries the same object, so code outside the app reproduces the app's numbers.
 */
export const preprocessingSchema = z.object({
  inputSize: z.number().int().min(16).max(1024),
  channelOrder: z.enum(['rgb', 'bgr']),
  /**
   * tf: x/127.5-1 → [-1,1]; unit: x/255 → [0,1]; caffe: BGR mean subtraction, no scaling; tm: x/127-1,
   * Teachable Machine's loader (only `--format tm` exports, whose first layer takes it to the backbone's).
   */
  mode: z.enum(['tf', 'unit', 'caffe', 'tm']),
  /** Per-channel mean in channelOrder, only for caffe mode. */
  mean: z.array(z.number()).length(3).optional(),
  /** Interpolation when the decoded picture (or its centre square) is resized to inputSize x inputSize. */
  resize: z.enum(['bilinear', 'nearest']),
  /**
   * How the picture becomes a square: 'stretch' resizes the whole picture (Keras flow_from_directory);
   * 'centre-crop' takes the largest centred square first (Teachable Machine, torchvision). Absent in
   * models and caches made before the choice existed: those stretch.
   */
  fit: z.enum(RESIZE_MODES).optional(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export const MOBILENET_PREPROCESSING: Preprocessing = { inputSize: 224, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' };
export const SCRATCH_PREPROCESSING = (inputSize: number): Preprocessing => ({
  inputSize,
  channelOrder: 'rgb',
  mode: 'unit',
  resize: 'bilinear',
});

/** A stable string for cache keys: the same contract always gives the same text. */
export function preprocessingKey(p: Preprocessing): string {
  // Stretch adds nothing, so caches written before the choice existed stay valid.
  return `${p.inputSize}:${p.channelOrder}:${p.mode}:${(p.mean ?? []).join(',')}:${p.resize}${p.fit === 'centre-crop' ? ':centre-crop' : ''}`;
}
