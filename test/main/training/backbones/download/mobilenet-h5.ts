import { join } from 'node:path';
import { loadTfjsFolderModel, validateTfjsFolder } from '../../../../../src/main/training/backbones/tfjs-folder';
import { DATA } from '../../fixtures';
import { useWasmBackend, writeKerasH5 } from '../keras/helpers';

/**
 * Writes a MobileNet v2 in Keras .h5 layout to `path`, so download tests can serve a real official-looking file
 * without the network (the bundled 0.35 weights: any alpha imports under the official file name).
 */
export async function writeMobileNetV2KerasH5(path: string): Promise<void> {
  await useWasmBackend();
  const reference = await loadTfjsFolderModel(validateTfjsFolder(join(DATA, 'models', 'mobilenet_v2_0.35_224_no_top')));
  try {
    await writeKerasH5(
      path,
      reference.layers.map((layer) => {
        const values = layer.getWeights();
        return {
          name: layer.name,
          weights: layer.weights.map((w, i) => ({
            name: `${layer.name}/${w.originalName.split('/').at(-1)}:0`,
            shape: w.shape as number[],
            values: values[i]!.dataSync() as Float32Array,
          })),
        };
      }),
    );
  } finally {
    reference.dispose();
  }
}
