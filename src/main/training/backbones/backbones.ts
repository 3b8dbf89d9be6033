import * as tf from '@tensorflow/tfjs';
import type { BackboneSpec } from './backbone-spec';
import { loadLayersModelFromDir } from '../worker/model-io';

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

/** The unfrozen top block: the tensor entering it, its layers in order, and how to run them. */
export interface TopBlock {
  entry: tf.SymbolicTensor;
  layers: tf.layers.Layer[];
  /** Runs the block on the entry activations; apply runs one layer (the caller picks training mode, frozen BN). */
  forward(x: tf.Tensor, apply: (layer: tf.layers.Layer, input: tf.Tensor | tf.Tensor[]) => tf.Tensor): tf.Tensor;
}

const inputsOf = (layer: tf.layers.Layer): tf.SymbolicTensor[] => {
  const input = layer.input;
  return Array.isArray(input) ? input : [input];
};

/**
 * The layers from topBlockStart to the feature layer, plus the tensor that enters them.
 * Fine-tuning runs them by hand so batch-norm stays in inference mode (training: false). A plain
 * chain (VGG16 block5, MobileNet's last blocks) or a graph with branches that merge again
 * (ResNet50 stage 5's residual adds): every layer downstream of the entry up to the feature layer.
 */
export function topBlock(model: tf.LayersModel, spec: BackboneSpec): TopBlock {
  if (!spec.topBlockStart) throw new Error(`backbone ${spec.id} declares no top block: it cannot be fine-tuned`);
  const start = model.getLayer(spec.topBlockStart);
  const entry = start.input as tf.SymbolicTensor;
  const feature = model.getLayer(spec.featureLayer);
  const known = new Set<number>([entry.id]);
  const layers: tf.layers.Layer[] = [];
  // model.layers is in topological order, so one pass sees each layer after everything it reads.
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const inputs = inputsOf(layer);
    if (!inputs.every((t) => known.has(t.id))) continue;
    layers.push(layer);
    known.add((layer.output as tf.SymbolicTensor).id);
    if (layer === feature) break;
  }
  if (layers.at(-1) !== feature)
    throw new Error(`backbone ${spec.id}: the top block from ${spec.topBlockStart} never reaches ${spec.featureLayer}`);
  if (layers.length > 256)
    throw new Error(
      `backbone ${spec.id}: the top block from ${spec.topBlockStart} has ${layers.length} layers: that is most of the network, not its top block`,
    );
  const output = feature.output as tf.SymbolicTensor;
  return {
    entry,
    layers,
    forward: (x, apply) => {
      const values = new Map<number, tf.Tensor>([[entry.id, x]]);
      for (const layer of layers) {
        const ins = inputsOf(layer).map((t) => values.get(t.id) as tf.Tensor);
        values.set((layer.output as tf.SymbolicTensor).id, apply(layer, ins.length === 1 ? (ins[0] as tf.Tensor) : ins));
      }
      return values.get(output.id) as tf.Tensor;
    },
  };
}
