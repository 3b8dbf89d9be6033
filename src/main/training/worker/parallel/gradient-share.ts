import * as tf from '@tensorflow/tfjs';
import { setDropoutSeed } from '../dropout-seed';
import type { PoolLoss } from './pool-protocol';

/**
 * Loss and gradients of one batch share, for the model's trainable weights in order. The same
 * function runs on the main thread and in every worker, so the shares add up to the full batch.
 */
export function shareGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: PoolLoss,
  dropoutSeed?: number,
): { loss: number; grads: tf.Tensor[] } {
  // Each share draws its own dropout mask (see dropout-seed.ts).
  if (dropoutSeed !== undefined) setDropoutSeed(model, dropoutSeed);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x, { training: true }) as tf.Tensor;
    return (
      loss === 'softmax-logits' ? tf.losses.softmaxCrossEntropy(y, out) : tf.mean(tf.metrics.categoricalCrossentropy(y, out))
    ) as tf.Scalar;
  }, weights);
  const lossValue = value.dataSync()[0] ?? NaN;
  value.dispose();
  return { loss: lossValue, grads: weights.map((w) => grads[w.name] as tf.Tensor) };
}

/** A tensor's values as float32 in a fresh, transferable ArrayBuffer (int labels included). */
export function toBuffer(t: tf.Tensor): ArrayBuffer {
  const values = t.dataSync();
  return (values instanceof Float32Array ? values.slice() : Float32Array.from(values as ArrayLike<number>)).buffer;
}
