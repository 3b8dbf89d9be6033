import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/**
 * How pixels become a model's input. Every backbone (and the scratch CNN) declares one; training,
 * preview, prediction and export all go through preprocess() below, and exported metadata.json
 * carries the same object, so code outside the app reproduces the app's numbers.
 */
export const preprocessingSchema = z.object({
  inputSize: z.number().int().min(16).max(1024),
  channelOrder: z.enum(['rgb', 'bgr']),
  /** tf: x/127.5-1 → [-1,1]; unit: x/255 → [0,1]; caffe: BGR mean subtraction, no scaling. */
  mode: z.enum(['tf', 'unit', 'caffe']),
  /** Per-channel mean in channelOrder, only for caffe mode. */
  mean: z.array(z.number()).length(3).optional(),
  /** Applied when the decoded picture is resized to inputSize x inputSize (no crop: fill). */
  resize: z.enum(['bilinear', 'nearest']),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export const MOBILENET_PREPROCESSING: Preprocessing = { inputSize: 224, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' };
export const SCRATCH_PREPROCESSING = (inputSize: number): Preprocessing => ({ inputSize, channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' });

/** A stable string for cache keys: the same contract always gives the same text. */
export function preprocessingKey(p: Preprocessing): string {
  return `${p.inputSize}:${p.channelOrder}:${p.mode}:${(p.mean ?? []).join(',')}:${p.resize}`;
}

/**
 * The one preprocessing function. `rgb` is [N, H, W, 3] (or [H, W, 3]) RGB values in 0..255 already
 * at the contract's input size (resizing happens at decode with the contract's method).
 */
export function preprocess<T extends tf.Tensor3D | tf.Tensor4D>(rgb: T, p: Preprocessing): T {
  return tf.tidy(() => {
    let x: tf.Tensor = rgb.toFloat();
    if (p.channelOrder === 'bgr') x = tf.reverse(x, -1);
    switch (p.mode) {
      case 'tf':
        x = x.div(127.5).sub(1);
        break;
      case 'unit':
        x = x.div(255);
        break;
      case 'caffe':
        x = x.sub(tf.tensor1d(p.mean ?? [103.939, 116.779, 123.68]));
        break;
    }
    return x as T;
  });
}
