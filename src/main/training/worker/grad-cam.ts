/**
 * Grad-CAM (Selvaraju et al. 2017): where in the picture the evidence for a class lies. A is the
 * last convolutional feature map [h, w, k]; the gradient of the class score (before softmax) with
 * respect to A, averaged over the h x w positions, weighs each of the k channels; the ReLU of the
 * weighted sum of A's channels is the map. Runs on a saved run's model in the training process.
 */
import * as tf from '@tensorflow/tfjs';
import { splitAtPooling } from './predict';

const CONV_LAYERS = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

/** A model cut where Grad-CAM looks: the image part up to A, and the layers from A to the class scores. */
export interface GradCamTarget {
  /** The layer whose output is A. */
  layer: string;
  /** Input → A [N, h, w, k]. Shares the model's weights: dispose the model, not this. */
  features: tf.LayersModel;
  /** The layers after A, in order, up to the class scores (a final softmax is left to scoresOf). */
  tail: tf.layers.Layer[];
}

/** Layers after `from` that form a single chain to the model's only output, or null. */
function chainAfter(model: tf.LayersModel, index: number): tf.layers.Layer[] | null {
  const start = model.layers[index];
  if (!start || model.outputs.length !== 1) return null;
  const tail = model.layers.slice(index + 1);
  let previous = start.output as tf.SymbolicTensor;
  for (const layer of tail) {
    if (Array.isArray(layer.input) || layer.input.id !== previous.id || layer.inboundNodes.length !== 1) return null;
    previous = layer.output as tf.SymbolicTensor;
  }
  return model.outputs[0]?.id === previous.id ? tail : null;
}

/**
 * Where Grad-CAM looks in a saved model. Bottleneck and fine-tune models (backbone, global average
 * pooling, head): the feature map the pooling reads, which is what the head was trained on. Anything
 * else (the scratch CNN): the last convolution whose output runs through a plain chain of layers to
 * the prediction. Null when the model has neither (then it cannot be explained).
 */
export function gradCamTarget(model: tf.LayersModel): GradCamTarget | null {
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || !input) return null;
  let index = -1;
  const pooled = splitAtPooling(model);
  if (pooled) index = model.layers.findIndex((l) => l.name === pooled.featureLayer);
  else
    for (let i = model.layers.length - 1; i >= 0 && index < 0; i--)
      if (CONV_LAYERS.has(model.layers[i]!.getClassName()) && chainAfter(model, i)) index = i;
  const layer = model.layers[index];
  const tail = index >= 0 ? chainAfter(model, index) : null;
  if (!layer || !tail || (layer.output as tf.SymbolicTensor).shape.length !== 4) return null;
  return { layer: layer.name, features: tf.model({ inputs: input, outputs: layer.output as tf.SymbolicTensor }), tail };
}

/**
 * Class scores before softmax for A: the tail in inference mode, its final softmax left off (a
 * softmax Activation layer skipped, a Dense layer with softmax applied as its linear part).
 */
export function scoresOf(tail: readonly tf.layers.Layer[], a: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let h = a;
    for (const [i, layer] of tail.entries()) {
      const last = i === tail.length - 1;
      const config = layer.getConfig() as { activation?: string };
      if (last && config.activation === 'softmax') {
        if (layer.getClassName() === 'Activation') break;
        if (layer.getClassName() === 'Dense') {
          const [kernel, bias] = layer.getWeights();
          h = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
          if (bias) h = tf.add(h, bias);
          break;
        }
      }
      h = layer.apply(h, { training: false }) as tf.Tensor;
    }
    if (h.rank !== 2) throw new Error(`the model's class scores have shape ${JSON.stringify(h.shape)}, not [N, classes]`);
    return h as tf.Tensor2D;
  });
}

/**
 * The Grad-CAM arithmetic for a batch: A [N, h, w, k], the scores as a function of A, and the class
 * to explain per item. Returns the maps [N, h, w] (ReLU applied, not normalised) and the scores.
 */
export function gradCamMaps(
  a: tf.Tensor4D,
  scores: (a: tf.Tensor4D) => tf.Tensor2D,
  classIndices: readonly number[],
): { maps: tf.Tensor3D; scores: tf.Tensor2D } {
  return tf.tidy(() => {
    const n = a.shape[0];
    if (classIndices.length !== n) throw new Error(`${classIndices.length} classes given for ${n} pictures`);
    const all = scores(a);
    const mask = tf.oneHot(tf.tensor1d([...classIndices], 'int32'), all.shape[1]);
    // Items do not mix (inference mode), so the gradient of the sum is each item's own gradient.
    const grads = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(scores(x as tf.Tensor4D), mask)))(a);
    const weights = tf.mean(grads, [1, 2], true);
    const maps = tf.relu(tf.sum(tf.mul(a, weights), -1)) as tf.Tensor3D;
    return { maps, scores: all };
  });
}

/** A map scaled to 0..1 by its peak; all zeros when no position speaks for the class (peak 0). */
export function normaliseMap(map: Float32Array): { grid: number[]; peak: number } {
  let peak = 0;
  for (const v of map) if (v > peak) peak = v;
  return { grid: Array.from(map, (v) => (peak > 0 ? v / peak : 0)), peak };
}

export interface ImageExplanation {
  layer: string;
  gridWidth: number;
  gridHeight: number;
  /** gridHeight x gridWidth, row-major, 0..1. */
  grid: number[];
  /** The map's largest value before scaling: 0 means nothing in the picture speaks for the class. */
  peak: number;
  /** Softmax of the scores, in the model's label order. */
  probabilities: number[];
  /** The class explained. */
  classIndex: number;
}

/**
 * Explains one preprocessed picture batch [N, S, S, 3]: each item for its given class, or for its
 * own top class where `classIndex` is null.
 */
export async function explainBatch(target: GradCamTarget, x: tf.Tensor4D, classIndex: number | null): Promise<ImageExplanation[]> {
  const a = tf.tidy(() => target.features.predict(x) as tf.Tensor4D);
  try {
    const scoresOfA = (t: tf.Tensor4D): tf.Tensor2D => scoresOf(target.tail, t);
    const first = scoresOfA(a);
    const numClasses = first.shape[1];
    const top = tf.tidy(() => tf.argMax(first, 1));
    const topData = await top.data().finally(() => tf.dispose([first, top]));
    if (classIndex !== null && !(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < numClasses))
      throw new Error(`class index ${classIndex} is outside the model's ${numClasses} classes`);
    const indices = classIndex !== null ? new Array<number>(x.shape[0]).fill(classIndex) : Array.from(topData);
    const { maps, scores } = gradCamMaps(a, scoresOfA, indices);
    const probs = tf.tidy(() => tf.softmax(scores));
    const [mapData, probData] = await Promise.all([maps.data(), probs.data()]).finally(() => tf.dispose([maps, scores, probs]));
    const [, h, w] = maps.shape;
    return indices.map((classIndex, i) => ({
      layer: target.layer,
      gridWidth: w,
      gridHeight: h,
      ...normaliseMap((mapData as Float32Array).slice(i * h * w, (i + 1) * h * w)),
      probabilities: Array.from((probData as Float32Array).slice(i * numClasses, (i + 1) * numClasses)),
      classIndex,
    }));
  } finally {
    a.dispose();
  }
}
