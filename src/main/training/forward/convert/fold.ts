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
  if (!reader || reader.inputs[0] !== node.outputs[0]) return false;
  if (reader.op === 'Conv') {
    mergePads(reader, node.pending.pads);
  } else if (reader.op === 'MaxPool') {
    if (!foldPadIntoMaxPool(g, node, reader)) return false;
  } else {
    return false;
  }
  reader.inputs[0] = node.inputs[0] as string;
  g.remove(node);
  return true;
}

function intsAttr(node: GraphNode, name: string, fallback: number[]): number[] {
  const attr = node.attrs[name];
  return attr && 'ints' in attr ? attr.ints : fallback;
}

function mergePads(reader: GraphNode, pads: readonly number[]): void {
  reader.attrs.pads = { ints: intsAttr(reader, 'pads', [0, 0, 0, 0]).map((p, i) => p + pads[i]!) };
}

/**
 * MaxPool over a zero-padded map. ONNX pools ignore padded cells (as if -inf) where TF.js pads real
 * zeros, so the padding becomes the pool's pads plus, unless the input cannot be negative, a Max with
 * 0 on every output whose window reaches into the zero band. An explicit Pad before the MaxPool is
 * not an option: ONNX Runtime 1.30's Pad fusion folds it into the pool's pads and so gives the -inf
 * answer (checked: all -1 input, zero padding, 3x3 pool gives -1 at the border instead of 0).
 */
function foldPadIntoMaxPool(g: Graph, pad: GraphNode, pool: GraphNode): boolean {
  if (pad.pending?.kind !== 'zero-pad') return false;
  const zero = pad.pending.pads;
  const [h, w] = pad.pending.size;
  const kernel = intsAttr(pool, 'kernel_shape', []);
  const strides = intsAttr(pool, 'strides', [1, 1]);
  const own = intsAttr(pool, 'pads', [0, 0, 0, 0]);
  const total = own.map((p, i) => p + zero[i]!);
  // ONNX needs every window to hold a real cell.
  if (kernel.length !== 2 || total.some((p, i) => p >= kernel[i % 2]!)) return false;
  mergePads(pool, zero);
  if (nonNegative(g, pad.inputs[0] as string)) return true;
  const outH = Math.floor((h + total[0]! + total[2]! - kernel[0]!) / strides[0]!) + 1;
  const outW = Math.floor((w + total[1]! + total[3]! - kernel[1]!) / strides[1]!) + 1;
  // A window reaches a zero cell when its overlap with the zero-padded extent leaves x's real cells.
  const [zt, zl, zb, zr] = zero;
  const mask = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const top = i * strides[0]! - total[0]!;
    const r0 = Math.max(top, -zt);
    const r1 = Math.min(top + kernel[0]! - 1, h + zb - 1);
    for (let j = 0; j < outW; j++) {
      const left = j * strides[1]! - total[1]!;
      const c0 = Math.max(left, -zl);
      const c1 = Math.min(left + kernel[1]! - 1, w + zr - 1);
      const reaches = r0 <= r1 && c0 <= c1 && (r0 < 0 || r1 >= h || c0 < 0 || c1 >= w);
      mask[i * outW + j] = reaches ? 0 : -Infinity;
    }
  }
  const out = pool.outputs[0] as string;
  const pooled = g.unique(`${out}_real_cells`);
  pool.outputs[0] = pooled;
  const max: GraphNode = {
    name: g.unique(`${out}/Max`),
    op: 'Max',
    inputs: [pooled, g.constant(`${out}_zero_band`, [1, 1, outH, outW], mask)],
    outputs: [out],
    attrs: {},
  };
  g.nodes.splice(g.nodes.indexOf(pool) + 1, 0, max);
  return true;
}

/** Whether a value cannot be negative by construction (after ReLU, ReLU6, sigmoid; through layout and pooling). */
function nonNegative(g: Graph, value: string): boolean {
  const producer = g.producers().get(value);
  if (!producer) return false;
  switch (producer.op) {
    case 'Relu':
    case 'Sigmoid':
    case 'Softmax':
    case 'Softplus':
      return true;
    case 'Clip': {
      const min = g.initializers.get(producer.inputs[1] ?? '')?.data;
      return min instanceof Float32Array && min.length === 1 && (min[0] as number) >= 0;
    }
    case 'Transpose':
    case 'MaxPool':
      return nonNegative(g, producer.inputs[0] as string);
    default:
      return producer.pending?.kind === 'zero-pad' && nonNegative(g, producer.inputs[0] as string);
  }
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
  // Conv [Cout, Cin/group, kh, kw] and Gemm [out, in] (transB = 1): every output channel is one contiguous run.
  if (producer.op === 'Gemm' && !('int' in (producer.attrs.transB ?? {}) && (producer.attrs.transB as { int: number }).int === 1))
    return false;
  if (weights.dims[0] !== channels) return false;
  const run = w.length / channels;
  for (let c = 0; c < channels; c++) for (let k = 0; k < run; k++) w[c * run + k] = w[c * run + k]! * scale[c]!;
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
