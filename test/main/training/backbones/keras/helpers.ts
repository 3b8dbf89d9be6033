import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadH5wasm } from '../../../../../src/main/training/backbones/keras/h5-file';

const require = createRequire(import.meta.url);

export async function useWasmBackend(): Promise<void> {
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
  await tf.setBackend('wasm');
  await tf.ready();
}

export interface TestLayer {
  name: string;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

/** Writes a Keras 2 layout .h5 (layer_names / weight_names attributes, one group per layer). */
export async function writeKerasH5(
  path: string,
  layers: TestLayer[],
  layout: 'weights-only' | 'full-model' = 'weights-only',
): Promise<void> {
  const h5 = await loadH5wasm();
  const f = new h5.File(path, 'w');
  try {
    let root: InstanceType<typeof h5.Group> = f;
    if (layout === 'full-model') {
      f.create_attribute(
        'model_config',
        JSON.stringify({ class_name: 'Model', config: { layers: [{ config: { batch_input_shape: [null, 8, 8, 3] } }] } }),
      );
      root = f.create_group('model_weights');
    }
    root.create_attribute(
      'layer_names',
      layers.map((l) => l.name),
    );
    root.create_attribute('keras_version', '2.2.4');
    root.create_attribute('backend', 'tensorflow');
    for (const layer of layers) {
      const group = root.create_group(layer.name);
      group.create_attribute(
        'weight_names',
        layer.weights.map((w) => w.name),
      );
      // Keras stores each weight at <layer>/<weight name>, e.g. conv1/conv1/kernel:0; a nested model's
      // group holds <model>/<inner layer>/kernel:0 for all its layers.
      for (const w of layer.weights) {
        const parts = w.name.split('/');
        let parent = group;
        for (const part of parts.slice(0, -1)) {
          parent = parent.keys().includes(part) ? (parent.get(part) as typeof group) : parent.create_group(part);
        }
        parent.create_dataset({ name: parts.at(-1) as string, data: w.values, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}

/** Deterministic pseudo-random values so failures reproduce. */
export { seededRandom as seeded } from '@shared/random';

export function randomArray(n: number, rand: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}
