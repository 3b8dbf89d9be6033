import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../../../../src/main/engine/engine';
import { readModelMetadata } from '../../../../../src/main/training/protocol/model-metadata';
import { inputBatch } from '../../../../../src/main/training/worker/image-batches';
import { runCli } from '../../../cli/run-cli';
import { CATS_DOGS, engineWithCatsDogs, tempDir, trainToEnd } from '../../fixtures';
import { independentReadersMissing } from '../../forward/convert/helpers';

const TOLERANCE = 1e-4;
const PYTHON = '/usr/bin/python3';

// 12 real images the run never saw (from the end of the validation folders), cats and dogs.
const IMAGES = ['cats', 'dogs'].flatMap((cls) =>
  readdirSync(join(CATS_DOGS, 'validation', cls))
    .sort()
    .slice(-6)
    .map((f) => join(CATS_DOGS, 'validation', cls, f)),
);

// onnx.checker (full check), the metadata_props as onnx reads them, and OpenCV DNN's output: all from
// Debian's python3-onnx / python3-opencv, which share no code with us.
const CHECK_SCRIPT = `
import sys, json, numpy as np, onnx, cv2
model_path, input_path, shape, output_path = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split(',')], sys.argv[4]
m = onnx.load(model_path)
onnx.checker.check_model(m, full_check=True)
net = cv2.dnn.readNetFromONNX(model_path)
if hasattr(net, 'enableWinograd'):
    net.enableWinograd(False)
net.setInput(np.fromfile(input_path, dtype=np.float32).reshape(shape))
y = net.forward()
np.ascontiguousarray(y, dtype=np.float32).tofile(output_path)
print(json.dumps({'props': {p.key: p.value for p in m.metadata_props}, 'ops': sorted({n.op_type for n in m.graph.node}), 'shape': list(y.shape)}))
`;

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let runId = '';
let modelDir = '';
let exportDir = '';
/** `lds predict`'s probabilities (predict.files through the contract), per image, in label order. */
let appProbs: number[][] = [];
let labels: string[] = [];

async function predictThroughContract(paths: string[]): Promise<number[][]> {
  let result: unknown = null;
  let jobId = '';
  const off = engine.events.subscribe((event, payload) => {
    if (event === 'job.finished' && (payload as { id: string }).id === jobId) result = (payload as { result: unknown }).result;
  });
  try {
    jobId = (await engine.call('predict.files', { runId, paths })).jobId;
    const job = await engine.jobs.wait(jobId);
    if (job.status !== 'succeeded') throw new Error(job.error ?? 'predict failed');
  } finally {
    off();
  }
  const rows = (result as { predictions: { path: string; probabilities: Record<string, number> }[] }).predictions;
  return paths.map((p) => {
    const row = rows.find((r) => r.path === p);
    if (!row) throw new Error(`no prediction for ${p}`);
    return labels.map((l) => row.probabilities[l] as number);
  });
}

/** The app's preprocessed input for IMAGES (the same decode and scaling training and predict use). */
async function appInput(): Promise<{ data: Float32Array; shape: number[] }> {
  const meta = readModelMetadata(modelDir);
  await tf.setBackend('cpu');
  const batch = await inputBatch(
    IMAGES.map((path, i) => ({ path, sha256: `img-${i}`, label: 0, split: 'validation' })),
    meta.preprocessing,
    null,
  );
  try {
    return { data: batch.dataSync() as Float32Array, shape: batch.shape };
  } finally {
    batch.dispose();
  }
}

function worstDiff(actual: ArrayLike<number>, expected: number[][]): number {
  const flat = expected.flat();
  expect(actual.length).toBe(flat.length);
  let worst = 0;
  flat.forEach((p, i) => (worst = Math.max(worst, Math.abs((actual[i] as number) - p))));
  return worst;
}

beforeAll(async () => {
  tmp = tempDir('onnx-export');
  engine = await engineWithCatsDogs(tmp.dir, 10, 5);
  const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 3, hidden: 8, seed: 3 });
  if (run.status !== 'succeeded' || !run.modelDir) throw new Error(run.error ?? 'training failed');
  runId = run.id;
  modelDir = run.modelDir;
  labels = readModelMetadata(run.modelDir).labels;
  appProbs = await predictThroughContract(IMAGES);
  exportDir = join(tmp.dir, 'export-onnx');
  const result = await engine.call('export.model', { runId, outDir: exportDir, format: 'onnx' });
  expect(result.format).toBe('onnx');
}, 180_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('ONNX export of a trained run (backbone + head)', () => {
  test('writes model.onnx, labels.txt, metadata.json and README.md, and nothing half-written', () => {
    expect(readdirSync(exportDir).sort()).toEqual(['README.md', 'labels.txt', 'metadata.json', 'model.onnx']);
    expect(readFileSync(join(exportDir, 'labels.txt'), 'utf8')).toBe(`${labels.join('\n')}\n`);
    const meta = JSON.parse(readFileSync(join(exportDir, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      layout: 'onnx',
      labels,
      imageSize: 224,
      resizeMode: 'stretch',
      runId,
      onnx: { file: 'model.onnx', opset: 13 },
    });
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  test("ONNX Runtime (onnxruntime-node) on the app's pixels gives `lds predict`'s probabilities within 1e-4", async () => {
    const input = await appInput();
    const session = await ort.InferenceSession.create(join(exportDir, 'model.onnx'), { executionProviders: ['cpu'] });
    try {
      expect(session.inputNames).toEqual(['input']);
      const out = (await session.run({ input: new ort.Tensor('float32', input.data, input.shape) })).output!;
      expect(out.dims).toEqual([IMAGES.length, labels.length]);
      // A test that cannot fail is no test: the model must not answer the same for every image.
      const top = new Set(appProbs.map((row) => row.indexOf(Math.max(...row))));
      expect(top.size).toBe(2);
      expect(worstDiff(out.data as Float32Array, appProbs)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await session.release();
    }
  });

  test("onnx.checker (full check) accepts it, its metadata_props carry labels and preprocessing, and OpenCV DNN gives `lds predict`'s probabilities within 1e-4", async (context) => {
    const missing = independentReadersMissing();
    if (missing) context.skip(missing);
    const input = await appInput();
    const inputPath = join(tmp.dir, 'input.bin');
    const outputPath = join(tmp.dir, 'opencv-output.bin');
    writeFileSync(inputPath, input.data);
    const run = spawnSync(PYTHON, ['-c', CHECK_SCRIPT, join(exportDir, 'model.onnx'), inputPath, input.shape.join(','), outputPath], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
      props: Record<string, string>;
      ops: string[];
      shape: number[];
    };
    expect(JSON.parse(report.props.labels as string)).toEqual(labels);
    expect(report.props).toMatchObject({
      input_size: '224',
      value_range: '[-1, 1]: x / 127.5 - 1',
      resize_mode: 'stretch',
      resize_interpolation: 'bilinear',
      channel_order: 'RGB',
      input_layout: 'NHWC float32',
      run_id: runId,
    });
    expect(JSON.parse(report.props.preprocessing as string)).toMatchObject({
      inputSize: 224,
      mode: 'tf',
      channelOrder: 'rgb',
      resize: 'bilinear',
    });
    expect(report.ops).toContain('Softmax');
    expect(report.ops).not.toContain('Identity');
    expect(report.shape).toEqual([IMAGES.length, labels.length]);
    const bytes = readFileSync(outputPath);
    const opencv = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(worstDiff(opencv, appProbs)).toBeLessThanOrEqual(TOLERANCE);
  });

  test('a run that does not exist or a bad format is refused clearly', async () => {
    await expect(engine.call('export.model', { runId: 'no-such-run', outDir: join(tmp.dir, 'x'), format: 'onnx' })).rejects.toThrow(
      /no run "no-such-run"/,
    );
    await expect(engine.call('export.model', { runId, outDir: join(tmp.dir, 'x'), format: 'pt' as 'onnx' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });

  test('`lds export --help` lists the formats; an unknown one is refused with the allowed ones', async () => {
    const help = await runCli(tmp.dir, ['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--format/);
    expect(help.stdout).toMatch(/onnx/);
    const bad = await runCli(tmp.dir, ['export', 'r1', '--out', join(tmp.dir, 'y'), '--format', 'pt']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--format must be one of tfjs, tm, onnx/);
    expect(existsSync(join(tmp.dir, 'y'))).toBe(false);
  });
});
