import * as tf from '@tensorflow/tfjs';
import type { AugmentParams } from '@shared/contract/augment';
import { transformMatrix, type Matrix3 } from './matrix';
import { sampleTransform, type SampledTransform } from './sample';
import { adjustIntensity } from './intensity';
import { resamplePixels } from './resample';

/**
 * THE augmentation function: training's data pipeline and the preview both call this, so the preview
 * shows exactly what the model is fed.
 *
 * `images` is a batch [N, H, W, 3] of RGB pixels in 0..255 (any numeric dtype, already resized to the
 * size training runs at). Row b becomes variant `variantIndices[b]` of the image whose content hash is
 * `keys[b]`. Returns a new float32 tensor [N, H, W, 3] (the caller disposes it; `images` is left alone)
 * with values in 0..255 — times `rescale` if the parameters set one — and nothing else applied:
 * the backbone's own preprocessing (e.g. x / 127.5 - 1) comes after, in the caller.
 */
export function augmentVariants(
  images: tf.Tensor4D,
  keys: readonly string[],
  variantIndices: readonly number[],
  params: AugmentParams,
  seed: number,
): tf.Tensor4D {
  const [batch, height, width] = images.shape;
  if (keys.length !== batch || variantIndices.length !== batch) {
    throw new Error(`augmentVariants: ${batch} images but ${keys.length} keys and ${variantIndices.length} variant indices`);
  }
  const transforms = keys.map((key, b) => sampleTransform(params, seed, key, variantIndices[b]!, width, height));
  return augmentBatch(images, transforms, params);
}

/**
 * Applies already-sampled transforms, one per image, in Keras' order: the affine warp (one matrix, one
 * bilinear resample, flips included), channel shift, brightness, rescale. The pixel arithmetic runs in
 * JavaScript over the batch's buffer (see resample.ts for why), so the result is the same on every
 * tfjs backend.
 */
export function augmentBatch(images: tf.Tensor4D, transforms: readonly SampledTransform[], params: AugmentParams): tf.Tensor4D {
  const [batch, height, width] = images.shape;
  if (transforms.length !== batch) throw new Error(`augmentBatch: ${batch} images but ${transforms.length} transforms`);
  const matrices = transforms.map((t) => transformMatrix(t, width, height));
  // Not tf.tidy(() => cast(...).dataSync()): tidy walks whatever its function returns looking for
  // tensors, and over a typed array of a batch's pixels that walk cost 20 ms an image (and as much again
  // in garbage collection): 90% of an augmented decode.
  const float = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
  let src: Float32Array;
  try {
    src = float.dataSync() as Float32Array;
  } finally {
    if (float !== images) float.dispose();
  }
  const pixels = matrices.every(isIdentity)
    ? Float32Array.from(src)
    : resamplePixels(src, images.shape, matrices, params.fill_mode, params.cval);
  adjustIntensity(pixels, batch, transforms, params);
  return tf.tensor4d(pixels, images.shape, 'float32');
}

function isIdentity(m: Matrix3): boolean {
  return m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 0 && m[4] === 1 && m[5] === 0;
}
