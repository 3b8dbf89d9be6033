import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../protocol/preprocessing-contract';

export * from '../protocol/preprocessing-contract';

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
      case 'tm':
        x = x.div(127).sub(1);
        break;
    }
    return x as T;
  });
}
