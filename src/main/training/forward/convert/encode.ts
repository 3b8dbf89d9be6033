import { onnx } from 'onnx-proto';
import type { Attr, Graph, Initializer } from './graph';

/** Opset 13 with IR version 7 (the pair ONNX 1.8 wrote): Debian's onnx 1.12 checker, OpenCV 4.6 DNN and ONNX Runtime all read it. */
export const OPSET = 13;
const IR_VERSION = 7;

export interface GraphIo {
  name: string;
  /** Dimensions with the batch as null (written as the named dimension 'batch'). */
  dims: (number | null)[];
}

export function encodeModel(g: Graph, input: GraphIo, output: GraphIo, graphName: string, docString: string): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'Little Data Studio',
    producerVersion: '1',
    docString,
    graph: {
      name: graphName,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([name, value]) => attribute(name, value)),
      })),
      initializer: [...g.initializers.values()].map(tensor),
      input: [valueInfo(input)],
      output: [valueInfo(output)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function attribute(name: string, value: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints };
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.STRING, s: new TextEncoder().encode(value.string) };
}

function tensor(init: Initializer): onnx.ITensorProto {
  const float = init.data instanceof Float32Array;
  // Raw little-endian bytes, as ONNX stores them; copy so the protobuf holds exactly this tensor's bytes.
  const bytes = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength).slice();
  return {
    name: init.name,
    dims: init.dims,
    dataType: float ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
    rawData: bytes,
  };
}

function valueInfo(io: GraphIo): onnx.IValueInfoProto {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: io.dims.map((d) => (d === null ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  };
}
