import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { inputBatch } from '../../../../../src/main/training/worker/image-batches';
import type { Preprocessing } from '../../../../../src/main/training/worker/preprocess';
import type { ManifestItem } from '../../../../../src/main/training/protocol/worker-protocol';
import type { ConvertResult } from '../../../../../src/main/training/forward/convert';
import { CATS_DOGS } from '../../fixtures';

export type Converted = Extract<ConvertResult, { ok: true }>;

/** A few real validation photos, cats and dogs alternating, decoded and preprocessed as the app does. */
export async function realImages(count: number, p: Preprocessing): Promise<tf.Tensor4D> {
  const items: ManifestItem[] = [];
  const lists = ['cats', 'dogs'].map((c) => readdirSync(join(CATS_DOGS, 'validation', c)).sort().map((f) => join(CATS_DOGS, 'validation', c, f)));
  for (let i = 0; items.length < count; i++) {
    const path = lists[i % 2]![Math.floor(i / 2)]!;
    items.push({ path, sha256: `test-${i}`, label: i % 2, split: 'validation' });
  }
  return inputBatch(items, p, null);
}

export async function runOnnx(converted: Converted, input: tf.Tensor4D): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(converted.onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const feeds = { [converted.inputName]: new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape) };
    const out = (await session.run(feeds))[converted.outputName]!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

const PYTHON = '/usr/bin/python3';

const CHECK_SCRIPT = `
import sys, numpy as np, onnx, cv2
model_path, input_path, output_path, shape = sys.argv[1], sys.argv[2], sys.argv[3], [int(d) for d in sys.argv[4].split(',')]
m = onnx.load(model_path)
onnx.checker.check_model(m, full_check=True)
ops = sorted({n.op_type for n in m.graph.node})
if output_path == '-':
    print('ops=' + ','.join(ops) + ' out=')
    sys.exit(0)
net = cv2.dnn.readNetFromONNX(model_path)
if hasattr(net, 'enableWinograd'):
    net.enableWinograd(False)  # Winograd 3x3 convolutions trade accuracy for speed
x = np.fromfile(input_path, dtype=np.float32).reshape(shape)
net.setInput(x)
y = net.forward()
np.ascontiguousarray(y, dtype=np.float32).tofile(output_path)
print('ops=' + ','.join(ops) + ' out=' + 'x'.join(str(d) for d in y.shape))
`;

/** Why the independent readers cannot run here, or null when /usr/bin/python3 has onnx and cv2. */
export function independentReadersMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, cv2, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} lacks onnx/cv2/numpy: ${probe.stderr.trim().split('\n').at(-1)}`;
}

export interface PythonCheck {
  ops: string[];
  /** OpenCV's output (flattened, in the model's output layout) and its shape; absent without openCv. */
  output?: Float32Array;
  outShape?: number[];
}

/**
 * Runs onnx.checker (full_check) and, unless told not to, OpenCV DNN on the model with `input`.
 * Throws with Python's message when either rejects the model.
 */
export function checkWithPython(onnxBytes: Uint8Array, input: tf.Tensor4D, options: { openCv?: boolean } = {}): PythonCheck {
  const dir = mkdtempSync(join(tmpdir(), 'lds-onnx-check-'));
  try {
    const model = join(dir, 'model.onnx');
    writeFileSync(model, onnxBytes);
    writeFileSync(join(dir, 'input.bin'), input.dataSync() as Float32Array);
    const openCv = options.openCv ?? true;
    const outputPath = openCv ? join(dir, 'output.bin') : '-';
    const run = spawnSync(PYTHON, ['-c', CHECK_SCRIPT, model, join(dir, 'input.bin'), outputPath, input.shape.join(',')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`python check failed: ${run.stderr.trim()}`);
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    const m = /^ops=(.*) out=(.*)$/.exec(line);
    if (!m) throw new Error(`python check printed ${run.stdout}`);
    if (!openCv) return { ops: m[1]!.split(',') };
    const bytes = readFileSync(outputPath);
    return {
      output: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      ops: m[1]!.split(','),
      outShape: m[2]!.split('x').map(Number),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
