import * as tf from '@tensorflow/tfjs';
import { encodeModel, OPSET } from './encode';
import { foldAndLower } from './fold';
import { Graph, type Value } from './graph';
import { CannotExpress, EMITTERS } from './layers';
import { UnsupportedLayer, type ConvertOptions, type ConvertResult } from './types';

const INPUT_NAME = 'input';
const OUTPUT_NAME = 'output';

/**
 * Converts a TF.js layers model (functional, Sequential, or nested: Teachable Machine exports are
 * Sequential[Sequential[MobileNet, GAP], Sequential[Dense, Dense]]) into an ONNX opset-13 graph that
 * takes the same NHWC float32 input and gives the same output in TF.js's layout. Anything it cannot
 * express exactly comes back as { ok: false } naming the layer: callers fall back to TF.js rather
 * than risk a different answer.
 */
export function convertLayersModel(model: tf.LayersModel, options: ConvertOptions = {}): ConvertResult {
  try {
    return convert(model, options);
  } catch (error) {
    if (error instanceof UnsupportedLayer) return { ok: false, layer: error.layer, className: error.className, reason: error.reason };
    return { ok: false, layer: model.name, className: model.getClassName(), reason: `conversion failed: ${(error as Error).message}` };
  }
}

interface Scope {
  /** Symbolic tensor id → value, for this application of a (sub-)model. */
  readonly values: Map<number, Value>;
}

function convert(model: tf.LayersModel, options: ConvertOptions): ConvertResult {
  if (options.batch !== undefined && options.batch !== 'dynamic')
    throw new UnsupportedLayer(model.name, model.getClassName(), `batch mode ${String(options.batch)}`);
  const whole = (reason: string): UnsupportedLayer => new UnsupportedLayer(model.name, model.getClassName(), reason);
  if (model.inputs.length !== 1) throw whole(`has ${model.inputs.length} inputs; one image input is converted`);
  const input = model.inputs[0] as tf.SymbolicTensor;
  const inputShape = input.shape;
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null)) {
    throw whole(`input shape ${JSON.stringify(inputShape)} is not a fixed-size image batch [batch, height, width, channels]`);
  }

  const g = new Graph();
  g.portableClip = options.portableRelu6 === true;
  g.reserve(INPUT_NAME);
  g.reserve(OUTPUT_NAME);
  const top: Scope = { values: new Map([[input.id, { name: INPUT_NAME, shape: inputShape, layout: 'tf' }]]) };
  let result = outputValue(g, model, top, options.outputLayer);
  result = g.toTf(result);
  if (result.name === INPUT_NAME) throw whole('computes nothing: its output is its input');

  // Graph outputs keep their producers through folding; the producer then gets the stable name.
  foldAndLower(g, [result.name]);
  g.rename(result.name, OUTPUT_NAME);

  const batchFirst = (shape: (number | null)[]): number[] => shape.map((d) => d ?? -1);
  const onnxBytes = encodeModel(
    g,
    { name: INPUT_NAME, dims: inputShape },
    { name: OUTPUT_NAME, dims: result.shape },
    model.name,
    `Converted from the TF.js layers model ${model.name}${options.outputLayer ? ` up to ${options.outputLayer}` : ''}; input NHWC float32, already preprocessed.`,
  );
  return {
    ok: true,
    onnx: onnxBytes,
    inputName: INPUT_NAME,
    outputName: OUTPUT_NAME,
    inputShape: batchFirst(inputShape),
    outputShape: batchFirst(result.shape),
    opset: OPSET,
  };
}

function outputValue(g: Graph, model: tf.LayersModel, top: Scope, outputLayer: string | undefined): Value {
  if (outputLayer === undefined) {
    if (model.outputs.length !== 1)
      throw new UnsupportedLayer(model.name, model.getClassName(), `has ${model.outputs.length} outputs; name one with outputLayer`);
    return resolve(g, model.outputs[0] as tf.SymbolicTensor, top);
  }
  const path = findLayer(model, outputLayer);
  if (!path) throw new UnsupportedLayer(outputLayer, 'unknown', `no layer named ${outputLayer} in model ${model.name}`);
  const layer = path.at(-1) as tf.layers.Layer;
  let target: tf.SymbolicTensor;
  try {
    target = layer.output as tf.SymbolicTensor;
  } catch {
    throw new UnsupportedLayer(layer.name, layer.getClassName(), 'is applied more than once, so its output is ambiguous');
  }
  if (Array.isArray(target)) throw new UnsupportedLayer(layer.name, layer.getClassName(), 'has several outputs');
  // A sub-model flattened into its parent (Sequential's first layer) shares the parent's tensors;
  // one applied as a layer has its own inputs, which are fed from where the parent applies it.
  let scope = top;
  for (const container of path.slice(1, -1) as tf.LayersModel[]) {
    if (reaches(target, scope)) break;
    scope = applicationScope(g, model, container, scope);
  }
  return resolve(g, target, scope);
}

/** The chain of models from `model` down to the layer named `name` (depth first), the layer last. */
function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer[] | null {
  for (const layer of model.layers) {
    if (layer.name === name) return [model, layer];
  }
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      const inner = findLayer(layer, name);
      if (inner) return [model, ...inner];
    }
  }
  return null;
}

/** Whether walking back from `t` ends at tensors the scope knows (rather than another model's input). */
function reaches(t: tf.SymbolicTensor, scope: Scope, seen = new Set<number>()): boolean {
  if (scope.values.has(t.id)) return true;
  if (seen.has(t.id)) return true;
  seen.add(t.id);
  if (t.sourceLayer.getClassName() === 'InputLayer') return false;
  if (t.sourceLayer instanceof tf.LayersModel) return t.inputs.every((i) => reaches(i, scope, seen));
  return t.inputs.length > 0 && t.inputs.every((i) => reaches(i, scope, seen));
}

/** A scope for `container`'s own graph, its inputs fed by where `model`'s graph applies it. */
function applicationScope(g: Graph, model: tf.LayersModel, container: tf.LayersModel, outer: Scope): Scope {
  const application = findApplication(model.outputs, container, new Set());
  if (!application)
    throw new UnsupportedLayer(container.name, container.getClassName(), `is not applied on the way to ${model.name}'s output`);
  const values = new Map<number, Value>();
  container.inputs.forEach((inner, i) => values.set(inner.id, resolve(g, application.inputs[i] as tf.SymbolicTensor, outer)));
  return { values };
}

function findApplication(from: tf.SymbolicTensor[], container: tf.LayersModel, seen: Set<number>): tf.SymbolicTensor | null {
  for (const t of from) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    if (t.sourceLayer === container) return t;
    const found = findApplication(t.inputs, container, seen);
    if (found) return found;
  }
  return null;
}

function resolve(g: Graph, t: tf.SymbolicTensor, scope: Scope): Value {
  const known = scope.values.get(t.id);
  if (known) return known;
  const layer = t.sourceLayer;
  let value: Value;
  if (layer instanceof tf.LayersModel) {
    // A sub-model applied as a layer: its graph runs in a scope of its own (it may be applied twice).
    const inner: Scope = { values: new Map() };
    layer.inputs.forEach((i, k) => inner.values.set(i.id, resolve(g, t.inputs[k] as tf.SymbolicTensor, scope)));
    value = resolve(g, layer.outputs[t.outputTensorIndex ?? 0] as tf.SymbolicTensor, inner);
  } else {
    const className = layer.getClassName();
    if (className === 'InputLayer') throw new UnsupportedLayer(layer.name, className, 'is an input the converted graph does not feed');
    const emit = EMITTERS[className];
    if (!emit) throw new UnsupportedLayer(layer.name, className, `no ONNX conversion for ${className} layers`);
    const inputs = t.inputs.map((i) => resolve(g, i, scope));
    try {
      value = emit({ g, layer, outShape: t.shape }, inputs);
    } catch (error) {
      if (error instanceof CannotExpress) throw new UnsupportedLayer(layer.name, className, error.message);
      throw error;
    }
  }
  scope.values.set(t.id, value);
  return value;
}
