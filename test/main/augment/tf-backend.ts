import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Tests run on the wasm backend, the one the app uses here; cpu is used to prove results match. */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<typeof tf> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`);
  }
  await tf.ready();
  return tf;
}
