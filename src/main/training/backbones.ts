import * as tf from '@tensorflow/tfjs';
import type { BackboneSpec } from './backbone-spec';
import { loadLayersModelFromDir } from './model-io';

export * from './backbone-spec';
export * from './backbone-inspect';

/** A loaded backbone: the full model, and the model cut at the feature layer. */
export interface LoadedBackbone {
  spec: BackboneSpec;
  model: tf.LayersModel;
  features: tf.LayersModel;
  dispose(): void;
}

export async function loadBackbone(spec: BackboneSpec): Promise<LoadedBackbone> {
  const model = await loadLayersModelFromDir(spec.dir);
  const features = tf.model({ inputs: model.inputs, outputs: model.getLayer(spec.featureLayer).output as tf.SymbolicTensor });
  return { spec, model, features, dispose: () => model.dispose() };
}

/**
 * The layers from topBlockStart to the feature layer as a linear chain, plus the tensor that enters
 * it. Fine-tuning runs them by hand so batch-norm stays in inference mode (training: false).
 */
export function topBlockChain(model: tf.LayersModel, spec: BackboneSpec): { entry: tf.SymbolicTensor; layers: tf.layers.Layer[] } {
  if (!spec.topBlockStart) throw new Error(`backbone ${spec.id} declares no top block: it cannot be fine-tuned`);
  const start = model.getLayer(spec.topBlockStart);
  const entry = start.input as tf.SymbolicTensor;
  const layers: tf.layers.Layer[] = [];
  let current = start;
  for (;;) {
    layers.push(current);
    if (current.name === spec.featureLayer) break;
    const output = current.output as tf.SymbolicTensor;
    const next = model.layers.filter((l) => {
      const input = l.input;
      return Array.isArray(input) ? input.includes(output) : input === output;
    });
    if (next.length !== 1 || Array.isArray(next[0]?.input)) {
      // Residual stages (ResNet50's conv5) branch and merge; the fine-tune step runs a plain chain only.
      throw new Error(
        `backbone ${spec.id}: the block from ${spec.topBlockStart} to ${spec.featureLayer} is not a simple chain at ${current.name} ` +
          '(a residual stage such as ResNet50 stage 5 cannot be fine-tuned yet): use its bottleneck run, or a VGG16 / MobileNet backbone to fine-tune',
      );
    }
    current = next[0] as tf.layers.Layer;
    if (layers.length > 64) throw new Error(`backbone ${spec.id}: top block from ${spec.topBlockStart} never reaches ${spec.featureLayer}`);
  }
  return { entry, layers };
}
