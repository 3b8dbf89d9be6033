import * as tf from '@tensorflow/tfjs';
import type { AugmentParams } from '@shared/contract/augment';
import { augmentVariants, parseAugmentParams } from '../../augment';
import { readImageRgb } from '../../images';
import { preprocess, type Preprocessing } from './preprocess';
import type { ManifestItem } from '../protocol/worker-protocol';

/** Decodes and resizes a batch with the contract's resize method: [N, S, S, 3] int32 pixels 0..255. */
export async function decodeBatch(items: readonly ManifestItem[], p: Preprocessing): Promise<tf.Tensor4D> {
  const size = p.inputSize;
  const images = await Promise.all(items.map((item) => readImageRgb(item.path, size, p.resize, { fit: p.fit })));
  const flat = new Int32Array(items.length * size * size * 3);
  images.forEach((image, i) => flat.set(image.data, i * size * size * 3));
  return tf.tensor4d(flat, [items.length, size, size, 3], 'int32');
}

/** The augmentation parameters training uses: rescale is the preprocessing contract's job, not augmentation's. */
export function trainingAugmentParams(raw: Record<string, unknown> | null): AugmentParams | null {
  if (!raw) return null;
  const params = parseAugmentParams(raw, 'training augmentation');
  return { ...params, rescale: null };
}

/**
 * Model input for a batch: decode → (variant k of each image, via the one augmentation function) →
 * preprocess. `variant` null means the plain picture.
 */
export async function inputBatch(
  items: readonly ManifestItem[],
  p: Preprocessing,
  augment: { params: AugmentParams; seed: number; variant: number | readonly number[] } | null,
): Promise<tf.Tensor4D> {
  const pixels = await decodeBatch(items, p);
  try {
    return modelInput(pixels, items, p, augment);
  } finally {
    pixels.dispose();
  }
}

/** The same as inputBatch for pixels already decoded (`pixels` is left alone; the caller disposes it). */
export function modelInput(
  pixels: tf.Tensor4D,
  items: readonly ManifestItem[],
  p: Preprocessing,
  augment: { params: AugmentParams; seed: number; variant: number | readonly number[] } | null,
): tf.Tensor4D {
  return tf.tidy(() => {
    if (!augment) return preprocess(pixels, p);
    const variants = typeof augment.variant === 'number' ? items.map(() => augment.variant as number) : [...augment.variant];
    const augmented = augmentVariants(
      pixels,
      items.map((i) => i.sha256),
      variants,
      augment.params,
      augment.seed,
    );
    return preprocess(augmented, p);
  });
}
