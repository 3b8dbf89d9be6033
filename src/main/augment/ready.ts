import * as tf from '@tensorflow/tfjs';

/**
 * The preview runs in whatever process hosts the engine. Augmentation only creates and reads tensors,
 * so any backend does; this just makes sure one is initialised (the training process picks its own).
 */
export async function readyForAugment(): Promise<void> {
  await tf.ready();
}
