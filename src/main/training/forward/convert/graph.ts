/**
 * A small in-memory ONNX graph the converter builds before folding and encoding. Every value carries
 * its TF.js shape and whether the ONNX tensor is in TF.js's layout ('tf', NHWC for 4-D) or transposed
 * to NCHW for Conv and pooling; transposes are inserted only where an op needs the other layout, and
 * each one once per value.
 */

export type Layout = 'tf' | 'nchw';

export interface Value {
  name: string;
  /** The TF.js shape, batch first (null), e.g. [null, 7, 7, 1280]. */
  shape: (number | null)[];
  layout: Layout;
}

export type Attr = { ints: number[] } | { int: number } | { float: number } | { string: string };

/**
 * Nodes that passes fold or lower before encoding: a batch-norm affine (scale/shift per channel, in
 * float64 so folding into a Conv loses nothing) and a zero padding of the two spatial axes of an NCHW
 * tensor ([top, left, bottom, right]) of height x width `size`.
 */
export type Pending =
  | { kind: 'affine'; scale: Float64Array; shift: Float64Array; layout: Layout; rank: number }
  | { kind: 'zero-pad'; pads: [number, number, number, number]; size: [number, number] };

export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  pending?: Pending;
}

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** Where a TF.js axis of a 4-D tensor sits in NCHW. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

export class Graph {
  portableClip = false;
  readonly nodes: GraphNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly names = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  unique(base: string): string {
    const clean = base.length > 0 ? base : 'v';
    let name = clean;
    for (let i = 1; this.names.has(name); i++) name = `${clean}_${i}`;
    this.names.add(name);
    return name;
  }

  reserve(name: string): void {
    this.names.add(name);
  }

  constant(base: string, dims: number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.set(name, { name, dims, data });
    return name;
  }

  int64Constant(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.set(name, { name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  scalar(base: string, value: number): string {
    return this.constant(base, [], Float32Array.of(value));
  }

  node(op: string, inputs: string[], outBase: string, attrs: Record<string, Attr> = {}, pending?: Pending): string {
    const output = this.unique(outBase);
    const node: GraphNode = { name: this.unique(`${outBase}/${op}`), op, inputs, outputs: [output], attrs };
    if (pending) node.pending = pending;
    this.nodes.push(node);
    return output;
  }

  toNchw(v: Value): Value {
    if (v.layout === 'nchw' || v.shape.length !== 4) return v;
    return this.transpose(v, 'nchw', [0, 3, 1, 2]);
  }

  toTf(v: Value): Value {
    if (v.layout === 'tf') return v;
    return this.transpose(v, 'tf', [0, 2, 3, 1]);
  }

  /** The axis of `v`'s ONNX tensor that is TF.js axis `tfAxis` (negative counts from the end). */
  axis(v: Value, tfAxis: number): number {
    const rank = v.shape.length;
    const a = tfAxis < 0 ? tfAxis + rank : tfAxis;
    return v.layout === 'nchw' ? (NHWC_TO_NCHW_AXIS[a] as number) : a;
  }

  private transpose(v: Value, layout: Layout, perm: number[]): Value {
    const key = `${v.name}\u0000${layout}`;
    const known = this.transposed.get(key);
    if (known) return known;
    const name = this.node('Transpose', [v.name], `${v.name}_${layout}`, { perm: { ints: perm } });
    const out: Value = { name, shape: v.shape, layout };
    this.transposed.set(key, out);
    return out;
  }

  producers(): Map<string, GraphNode> {
    const map = new Map<string, GraphNode>();
    for (const node of this.nodes) for (const o of node.outputs) map.set(o, node);
    return map;
  }

  consumers(): Map<string, GraphNode[]> {
    const map = new Map<string, GraphNode[]>();
    for (const node of this.nodes) {
      for (const i of node.inputs) {
        const list = map.get(i);
        if (list) list.push(node);
        else map.set(i, [node]);
      }
    }
    return map;
  }

  remove(node: GraphNode): void {
    const at = this.nodes.indexOf(node);
    if (at >= 0) this.nodes.splice(at, 1);
  }

  /** Renames a value everywhere (node outputs and inputs). */
  rename(from: string, to: string): void {
    for (const node of this.nodes) {
      node.inputs = node.inputs.map((n) => (n === from ? to : n));
      node.outputs = node.outputs.map((n) => (n === from ? to : n));
    }
  }
}
