/**
 * A run's whole model (backbone + head, or the scratch CNN) as one ONNX file: model.onnx with the
 * labels and the preprocessing contract in its metadata_props, so a reader needs nothing else;
 * labels.txt, metadata.json and a README beside it for people.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { convertLayersModel } from '../../forward/convert';
import { readModelMetadata } from '../../protocol/model-metadata';
import { loadLayersModelFromDir } from '../model-io';
import { ensureInferenceBackend } from '../predict';
import {
  exportMetadata,
  preprocessingSteps,
  valueRange,
  writeFolderAtomically,
  type ExportModelOptions,
  type ExportedModel,
} from './export-folder';
import { onnxReadme } from './onnx-readme';

/** What each metadata_props key of an exported model.onnx holds (all values are strings). */
export interface OnnxMetadataProps {
  /** JSON array: index = output unit. */
  labels: string;
  /** e.g. "224" (square). */
  input_size: string;
  /** "[-1, 1]: x / 127.5 - 1", "[0, 1]: x / 255" or the caffe mean subtraction. */
  value_range: string;
  /** "stretch" (whole picture, no crop) or "centre-crop" (centre square, then resize). */
  resize_mode: string;
  /** "bilinear" or "nearest". */
  resize_interpolation: string;
  /** "RGB" or "BGR". */
  channel_order: string;
  /** "NHWC float32". */
  input_layout: string;
  output: string;
  /** The whole preprocessing contract as JSON (what `lds predict` reads). */
  preprocessing: string;
  /** Ordered steps in words. */
  preprocessing_steps: string;
  run_id: string;
  generated_by: string;
}

export async function exportOnnxModel(options: ExportModelOptions): Promise<ExportedModel> {
  const meta = readModelMetadata(options.runDir);
  await ensureInferenceBackend();
  const model = await loadLayersModelFromDir(options.runDir);
  let bytes: Uint8Array;
  try {
    // OpenCV 4.6 reads ReLU6 only in this form; ONNX Runtime runs it too (a little slower than Clip).
    const converted = convertLayersModel(model, { portableRelu6: true });
    if (!converted.ok)
      throw new Error(`cannot export run ${meta.runId} as ONNX: layer ${converted.layer} (${converted.className}) ${converted.reason}`);
    bytes = converted.onnx;
  } finally {
    model.dispose();
  }
  const metadata = exportMetadata(meta, options, 'onnx');
  const p = meta.preprocessing;
  const props: OnnxMetadataProps = {
    labels: JSON.stringify(meta.labels),
    input_size: String(p.inputSize),
    value_range: valueRange(p),
    resize_mode: p.fit ?? 'stretch',
    resize_interpolation: p.resize,
    channel_order: p.channelOrder.toUpperCase(),
    input_layout: 'NHWC float32',
    output: 'softmax probabilities in the order of labels',
    preprocessing: JSON.stringify(p),
    preprocessing_steps: preprocessingSteps(meta)
      .map((s, i) => `${i + 1}. ${s}`)
      .join('\n'),
    run_id: meta.runId,
    generated_by: `Little Data Studio ${options.appVersion}`,
  };
  const proto = onnx.ModelProto.decode(bytes);
  proto.metadataProps = Object.entries(props).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
  proto.producerVersion = options.appVersion;
  proto.docString = `${options.modelName ?? `lds-${meta.runId}`}: image classifier (${meta.labels.join(', ')}). Input ${props.input_layout} [batch, ${p.inputSize}, ${p.inputSize}, 3], preprocessed as metadata_props say; output ${props.output}.`;
  const onnxBytes = onnx.ModelProto.encode(proto).finish();
  return writeFolderAtomically(options.outDir, 'onnx', (dir) => {
    writeFileSync(join(dir, 'model.onnx'), onnxBytes);
    writeFileSync(join(dir, 'labels.txt'), `${meta.labels.join('\n')}\n`);
    writeFileSync(
      join(dir, 'metadata.json'),
      `${JSON.stringify({ ...metadata, onnx: { file: 'model.onnx', opset: 13, input: 'input', output: 'output', metadataProps: Object.keys(props) } }, null, 2)}\n`,
    );
    writeFileSync(join(dir, 'README.md'), onnxReadme(metadata));
    return ['model.onnx', 'labels.txt', 'metadata.json', 'README.md'];
  });
}
