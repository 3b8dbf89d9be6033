import * as tf from '@tensorflow/tfjs';
import type { PoolLoss } from './pool-protocol';

/**
 * Loss and gradients of one batch share, for the model's trainable weights in order. The same
 * function runs on the main thread and in every worker, so the shares add up to the full batch.
 */
export function shareGradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: PoolLoss): { loss: number; grads: tf.Tensor[] } {
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x, { training: true }) as tf.Tensor;
    return (loss === 'softmax-logits' ? tf.losses.softmaxCrossEntropy(y, out) : tf.mean(tf.metrics.categoricalCrossentropy(y, out))) as tf.Scalar;
  }, weights);
  const lossValue = value.dataSync()[0] ?? NaN;
  value.dispose();
  return { loss: lossValue, grads: weights.map((w) => grads[w.name] as tf.Tensor) };
}

/** Copies a float32 tensor's values into a fresh, transferable ArrayBuffer. */
export function toBuffer(t: tf.Tensor): ArrayBuffer {
  const values = t.dataSync() as Float32Array;
  return values.slice().buffer;
}
