import type * as Ort from 'onnxruntime-node';

/** The graph's input and output names (from the converter). */
export interface IoNames {
  inputName: string;
  outputName: string;
}

/** One batch through an open session, on whichever thread holds it: the named float32 output. */
export async function runSession(
  ort: typeof Ort,
  session: Ort.InferenceSession,
  names: IoNames,
  input: Float32Array,
  dims: number[],
): Promise<Float32Array> {
  const out = await session.run({ [names.inputName]: new ort.Tensor('float32', input, dims) });
  const y = out[names.outputName];
  if (!y || y.type !== 'float32') throw new Error(`onnxruntime: no float32 output ${names.outputName}`);
  return y.data as Float32Array;
}
