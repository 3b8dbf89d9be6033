import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputBatch } from '../../../../../src/main/training/worker/image-batches';
import type { Preprocessing } from '../../../../../src/main/training/worker/preprocess';
import type { ManifestItem } from '../../../../../src/main/training/protocol/worker-protocol';
import { convertLayersModel, type ConvertOptions, type ConvertResult } from '../../../../../src/main/training/forward/convert';
import { useWasmBackend } from '../../backbones/keras/helpers';
import { CATS_DOGS } from '../../fixtures';

export type Converted = Extract<ConvertResult, { ok: true }>;

/** A few real validation photos, cats and dogs alternating, decoded and preprocessed as the app does. */
export async function realImages(count: number, p: Preprocessing): Promise<tf.Tensor4D> {
  const items: ManifestItem[] = [];
  const lists = ['cats', 'dogs'].map((c) =>
    readdirSync(join(CATS_DOGS, 'validation', c))
      .sort()
      .map((f) => join(CATS_DOGS, 'validation', c, f)),
  );
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

// argv: input.bin, its shape, output.bin, the model OpenCV runs, then models only the checker reads.
const CHECK_SCRIPT = `
import sys, numpy as np, onnx, cv2
input_path, shape, output_path, cv_model = sys.argv[1], [int(d) for d in sys.argv[2].split(',')], sys.argv[3], sys.argv[4]
ops = set()
for path in sys.argv[4:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops |= {n.op_type for n in m.graph.node}
net = cv2.dnn.readNetFromONNX(cv_model)
if hasattr(net, 'enableWinograd'):
    net.enableWinograd(False)  # Winograd 3x3 convolutions trade accuracy for speed
net.setInput(np.fromfile(input_path, dtype=np.float32).reshape(shape))
y = net.forward()
np.ascontiguousarray(y, dtype=np.float32).tofile(output_path)
print('ops=' + ','.join(sorted(ops)) + ' out=' + 'x'.join(str(d) for d in y.shape))
`;

/** Why the independent readers cannot run here, or null when /usr/bin/python3 has onnx and cv2. */
export function independentReadersMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, cv2, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} lacks onnx/cv2/numpy: ${probe.stderr.trim().split('\n').at(-1)}`;
}

export interface PythonCheck {
  /** The op types of all the models checked. */
  ops: string[];
  /** OpenCV's output for `openCvModel` (flattened, in the model's output layout) and its shape. */
  output: Float32Array;
  outShape: number[];
}

/**
 * Runs onnx.checker (full_check) on every model and OpenCV DNN on the first with `input`, in one
 * Python process. Throws with Python's message when either rejects a model.
 */
export function checkWithPython(openCvModel: Uint8Array, alsoCheck: Uint8Array[], input: tf.Tensor4D): PythonCheck {
  const dir = mkdtempSync(join(tmpdir(), 'lds-onnx-check-'));
  try {
    const models = [openCvModel, ...alsoCheck].map((bytes, i) => {
      const path = join(dir, `model${i}.onnx`);
      writeFileSync(path, bytes);
      return path;
    });
    writeFileSync(join(dir, 'input.bin'), input.dataSync() as Float32Array);
    const outputPath = join(dir, 'output.bin');
    const run = spawnSync(PYTHON, ['-c', CHECK_SCRIPT, join(dir, 'input.bin'), input.shape.join(','), outputPath, ...models], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`python check failed: ${run.stderr.trim()}`);
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    const m = /^ops=(.*) out=(.*)$/.exec(line);
    if (!m) throw new Error(`python check printed ${run.stdout}`);
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
/** Tolerance of the issue: ONNX Runtime's features equal TF.js's within 1e-4, max abs. */
export const TOLERANCE = 1e-4;

export function convertOrThrow(model: tf.LayersModel, options: ConvertOptions = {}): Converted {
  const result = convertLayersModel(model, options);
  if (!result.ok) throw new Error(`not converted: ${result.layer} (${result.className}): ${result.reason}`);
  return result;
}

export interface BackboneCase {
  model: tf.LayersModel;
  /** What TF.js computes for the converted graph (the model itself unless the case cuts it). */
  reference: tf.LayersModel | ((x: tf.Tensor4D) => tf.Tensor);
  input: tf.Tensor4D;
  options?: ConvertOptions;
  outputShape: number[];
  dispose(): void;
}

/** Global average pooling of flattened [N, H, W, C] maps: the bottleneck features the app trains on. */
export function poolMaps(data: Float32Array, shape: number[]): Float32Array {
  const [h, w, c] = shape.slice(-3) as [number, number, number];
  const n = data.length / (h * w * c);
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[i * c + k]! += data[(i * h * w + p) * c + k]!;
    for (let k = 0; k < c; k++) out[i * c + k]! /= h * w;
  }
  return out;
}

/** Largest raw difference float32 noise can explain: TF.js's own backends never agree closer than this. */
const NOISE_CAP = 1e-3;

/**
 * TF.js's output on its cpu backend and how far it is from `expected` (the wasm backend's): the
 * float32 noise between two implementations of the same model.
 */
async function tfjsSpread(c: BackboneCase, expected: Float32Array): Promise<number> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const reference = c.reference;
    const cpu = tf.tidy(
      () => (typeof reference === 'function' ? reference(c.input) : (reference.predict(c.input) as tf.Tensor)).dataSync() as Float32Array,
    );
    return maxAbsDiff(cpu, expected);
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * The equality tests every backbone gets: ONNX Runtime (CPU) against TF.js on real photos, then
 * onnx.checker and OpenCV DNN reading the file independently. Pooled features (what bottleneck
 * training uses) must agree within 1e-4; so must the raw output, unless TF.js's own wasm and cpu
 * backends disagree by more on it (ReLU6 maps of the MobileNets: up to 4e-4), in which case it must
 * agree within twice that spread.
 */
export function describeBackbone(title: string, setup: () => Promise<BackboneCase>): void {
  describe(title, () => {
    let c: BackboneCase;
    let expected: Float32Array;
    let converted: Converted;
    let bound: number | null = null;

    /** What the raw output must agree within: 1e-4, or twice TF.js's own spread where that is larger. */
    const rawBound = async (diff: number): Promise<number> => {
      if (diff <= TOLERANCE) return TOLERANCE;
      bound ??= Math.min(NOISE_CAP, Math.max(TOLERANCE, 2 * (await tfjsSpread(c, expected))));
      return bound;
    };

    beforeAll(async () => {
      await useWasmBackend();
      c = await setup();
      const reference = c.reference;
      expected = tf.tidy(
        () => (typeof reference === 'function' ? reference(c.input) : (reference.predict(c.input) as tf.Tensor)).dataSync() as Float32Array,
      );
      const before = tf.memory().numTensors;
      converted = convertOrThrow(c.model, c.options);
      // Conversion reads weights and creates no tensors of its own.
      expect(tf.memory().numTensors).toBe(before);
    });

    afterAll(() => {
      c?.input.dispose();
      c?.dispose();
    });

    it("ONNX Runtime gives TF.js's output on real photos (pooled ≤ 1e-4; raw ≤ 1e-4 or within TF.js's own wasm/cpu spread)", async () => {
      expect(converted.inputShape).toEqual([-1, ...c.input.shape.slice(1)]);
      expect(converted.outputShape).toEqual([-1, ...c.outputShape]);
      expect(converted.opset).toBe(13);
      const out = await runOnnx(converted, c.input);
      expect(out.dims).toEqual([c.input.shape[0], ...c.outputShape]);
      // A test that cannot fail is no test: the features must not be all zeros or all equal.
      expect(maxAbs(expected)).toBeGreaterThan(0.1);
      if (c.outputShape.length === 3)
        expect(maxAbsDiff(poolMaps(out.data, c.outputShape), poolMaps(expected, c.outputShape))).toBeLessThanOrEqual(TOLERANCE);
      const diff = maxAbsDiff(out.data, expected);
      expect(diff).toBeLessThanOrEqual(await rawBound(diff));
    });

    it('passes onnx.checker (full check) and OpenCV DNN reads the same answer', async (context) => {
      const missing = independentReadersMissing();
      if (missing) context.skip(missing);
      // OpenCV 4.6 reads Clip only in its pre-opset-11 form, so it runs the portable ReLU6 graph; the checker reads both.
      const portable = convertOrThrow(c.model, { ...c.options, portableRelu6: true });
      const check = checkWithPython(portable.onnx, [converted.onnx], c.input);
      expect(check.ops).not.toContain('Identity');
      expect(check.ops).not.toContain('BatchNormalization');
      expect(check.output.length).toBe(expected.length);
      if (c.outputShape.length === 3)
        expect(maxAbsDiff(poolMaps(check.output, c.outputShape), poolMaps(expected, c.outputShape))).toBeLessThanOrEqual(TOLERANCE);
      const sameFile = maxAbsDiff(check.output, (await runOnnx(portable, c.input)).data);
      expect(sameFile).toBeLessThanOrEqual(await rawBound(sameFile));
      // Two independent float32 implementations, each within the bound of TF.js.
      const diff = maxAbsDiff(check.output, expected);
      expect(diff).toBeLessThanOrEqual(2 * (await rawBound(diff)));
    });
  });
}
