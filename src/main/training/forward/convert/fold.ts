import type { Graph, GraphNode } from './graph';

/**
 * Folds what can be folded and lowers the rest to plain ONNX ops:
 * - a batch-norm affine right after a Conv (or Gemm) that nothing else reads becomes that Conv's
 *   weights and bias; any other is Mul + Add;
 * - a zero padding that only a Conv reads becomes that Conv's pads; any other is a Pad node.
 * `outputs` are graph outputs, which must keep their producers.
 */
export function foldAndLower(g: Graph, outputs: readonly string[]): void {
  const keep = new Set(outputs);
  for (const node of [...g.nodes]) {
    if (node.pending?.kind === 'zero-pad' && !foldPad(g, node, keep)) lowerPad(g, node);
  }
  for (const node of [...g.nodes]) {
    if (node.pending?.kind === 'affine' && !foldAffine(g, node, keep)) lowerAffine(g, node);
  }
}

function onlyReader(g: Graph, value: string, keep: Set<string>): GraphNode | null {
  if (keep.has(value)) return null;
  const readers = g.consumers().get(value) ?? [];
  return readers.length === 1 ? (readers[0] as GraphNode) : null;
}

function foldPad(g: Graph, node: GraphNode, keep: Set<string>): boolean {
  if (node.pending?.kind !== 'zero-pad') return false;
  const reader = onlyReader(g, node.outputs[0] as string, keep);
  if (!reader || reader.op !== 'Conv' || reader.inputs[0] !== node.outputs[0]) return false;
  const pads = 'ints' in (reader.attrs.pads ?? {}) ? (reader.attrs.pads as { ints: number[] }).ints : [0, 0, 0, 0];
  reader.attrs.pads = { ints: pads.map((p, i) => p + (node.pending as { pads: number[] }).pads[i]!) };
  reader.inputs[0] = node.inputs[0] as string;
  g.remove(node);
  return true;
}

function lowerPad(g: Graph, node: GraphNode): void {
  if (node.pending?.kind !== 'zero-pad') return;
  const [top, left, bottom, right] = node.pending.pads;
  node.op = 'Pad';
  node.inputs = [node.inputs[0] as string, g.int64Constant(`${node.outputs[0]}_pads`, [0, 0, top, left, 0, 0, bottom, right])];
  node.attrs = { mode: { string: 'constant' } };
  delete node.pending;
}

function foldAffine(g: Graph, node: GraphNode, keep: Set<string>): boolean {
  if (node.pending?.kind !== 'affine') return false;
  const input = node.inputs[0] as string;
  const producer = g.producers().get(input);
  if (!producer || (producer.op !== 'Conv' && producer.op !== 'Gemm')) return false;
  if (onlyReader(g, input, keep) !== node) return false;
  const { scale, shift } = node.pending;
  const weights = g.initializers.get(producer.inputs[1] as string);
  if (!weights || !(weights.data instanceof Float32Array)) return false;
  const channels = scale.length;
  const w = weights.data;
  if (producer.op === 'Conv') {
    // [Cout, Cin/group, kh, kw]: every output channel is one contiguous run.
    if (weights.dims[0] !== channels) return false;
    const run = w.length / channels;
    for (let c = 0; c < channels; c++) for (let k = 0; k < run; k++) w[c * run + k] = w[c * run + k]! * scale[c]!;
  } else {
    // Gemm with B [in, out] (transB = 0): every output channel is one column.
    if (weights.dims[1] !== channels) return false;
    const rows = w.length / channels;
    for (let r = 0; r < rows; r++) for (let c = 0; c < channels; c++) w[r * channels + c] = w[r * channels + c]! * scale[c]!;
  }
  const biasName = producer.inputs[2];
  const oldBias = biasName ? g.initializers.get(biasName)?.data : undefined;
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) bias[c] = (oldBias ? Number(oldBias[c]) : 0) * scale[c]! + shift[c]!;
  if (biasName && oldBias) g.initializers.get(biasName)!.data = bias;
  else producer.inputs[2] = g.constant(`${producer.outputs[0]}_bias`, [channels], bias);
  producer.outputs[0] = node.outputs[0] as string;
  g.remove(node);
  return true;
}

function lowerAffine(g: Graph, node: GraphNode): void {
  if (node.pending?.kind !== 'affine') return;
  const { scale, shift, layout, rank } = node.pending;
  const channels = scale.length;
  // Broadcast over the channel axis: [C, 1, 1] for NCHW, [C] when channels are the last axis.
  const dims = layout === 'nchw' && rank === 4 ? [channels, 1, 1] : [channels];
  const out = node.outputs[0] as string;
  const scaled = g.unique(`${out}_scaled`);
  const mul: GraphNode = {
    name: g.unique(`${out}/Mul`),
    op: 'Mul',
    inputs: [node.inputs[0] as string, g.constant(`${out}_scale`, dims, Float32Array.from(scale))],
    outputs: [scaled],
    attrs: {},
  };
  node.op = 'Add';
  node.inputs = [scaled, g.constant(`${out}_shift`, dims, Float32Array.from(shift))];
  node.attrs = {};
  delete node.pending;
  g.nodes.splice(g.nodes.indexOf(node), 0, mul);
}
