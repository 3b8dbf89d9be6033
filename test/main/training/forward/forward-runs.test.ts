import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../../../src/main/engine/engine';
import { saveLayersModelToDir } from '../../../../src/main/training/worker/model-io';
import { engineWithCatsDogs, tempDir, trainToEnd } from '../fixtures';

/**
 * Runs end to end through the training process with ONNX Runtime as the forward engine: a bottleneck
 * run, a fine-tune from it, and its evaluation, which must equal TF.js's; and a backbone with a layer
 * the converter cannot express, which runs on TF.js and says so in the run's notes.
 */
// Whole runs and two prediction passes each: on a busy 2-core machine a test can take minutes.
vi.setConfig({ testTimeout: 300_000 });

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  tmp = tempDir('forward-runs');
  engine = await engineWithCatsDogs(tmp.dir, 16, 8);
});
afterAll(async () => {
  delete process.env.LDS_FORWARD;
  await engine?.close();
  tmp?.cleanup();
});

type Forwarded = { forward?: { engine: string; provider: string | null; reason: string }[]; notes?: string[] };

describe('runs through ONNX Runtime', () => {
  let bottleneckId = '';
  let finetuneId = '';

  test('a bottleneck run computes its features on ONNX Runtime and records it', async () => {
    const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 4, seed: 2 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    bottleneckId = run.id;
    const metrics = run.metrics as Forwarded & Record<string, unknown>;
    expect(metrics).toMatchObject({ featuresComputed: 48, numTensors: 0 });
    expect(metrics.forward).toEqual([
      { engine: 'onnxruntime', provider: 'cpu', reason: expect.stringMatching(/^onnxruntime 1\.\d+\.\d+ on cpu: /) },
    ]);
    expect(metrics.notes).toEqual([expect.stringMatching(/^forward pass up to out_relu: onnxruntime/)]);
    expect(run.valAccuracy).toBeGreaterThan(0.7);
  });

  test('a fine-tune run caches the frozen base’s activations on ONNX Runtime', async () => {
    const { run } = await trainToEnd(engine, { mode: 'finetune', from: bottleneckId, epochs: 2, cacheVariants: 1, device: 'cpu' });
    expect(run.status, run.error ?? '').toBe('succeeded');
    finetuneId = run.id;
    const metrics = run.metrics as Forwarded;
    expect(metrics.forward).toEqual([{ engine: 'onnxruntime', provider: 'cpu', reason: expect.stringContaining('forced to cpu') }]);
    expect(metrics.notes?.[0]).toMatch(/^forward pass up to block_15_add: onnxruntime/);
    expect(run.valAccuracy).toBeGreaterThan(0.7);
  });

  test('evaluating the fine-tuned run on ONNX Runtime gives TF.js’s probabilities within 1e-4', async () => {
    const evaluate = async (): Promise<number[][]> => {
      const { jobId } = await engine.call('eval.start', { runId: finetuneId, split: 'validation' });
      const job = await engine.jobs.wait(jobId);
      expect(job.status, job.error ?? '').toBe('succeeded');
      const view = await engine.call('eval.get', { runId: finetuneId, split: 'validation' });
      return (view?.items ?? []).sort((a, b) => a.imageId - b.imageId).map((i) => i.probabilities);
    };
    const graphs = (): number => readdirSync(join(tmp.dir, 'ws', 'features', 'onnx')).filter((f) => f.endsWith('.onnx')).length;
    const before = graphs();
    const onnx = await evaluate();
    // The fine-tuned model's image part is a graph of its own (its top block changed).
    expect(graphs()).toBe(before + 1);
    process.env.LDS_FORWARD = 'tfjs';
    let tfjs: number[][];
    try {
      tfjs = await evaluate();
    } finally {
      delete process.env.LDS_FORWARD;
    }
    expect(onnx).toHaveLength(16);
    let max = 0;
    onnx.forEach((row, i) => row.forEach((p, j) => (max = Math.max(max, Math.abs(p - tfjs[i]![j]!)))));
    expect(max).toBeLessThanOrEqual(1e-4);
  });

  test('the exported model predicts on ONNX Runtime as on TF.js (within 1e-4)', async () => {
    const exported = await engine.call('export.model', { runId: finetuneId, outDir: join(tmp.dir, 'exported') });
    const photos = join(tmp.dir, 'photos', 'validation');
    const predict = async (): Promise<Record<string, number>[]> => {
      let result: unknown = null;
      let jobId = '';
      const off = engine.events.subscribe((event, payload) => {
        if (event === 'job.finished' && (payload as { id: string }).id === jobId) result = (payload as { result: unknown }).result;
      });
      try {
        jobId = (await engine.call('predict.files', { modelDir: exported.dir, paths: [photos] })).jobId;
        const job = await engine.jobs.wait(jobId);
        expect(job.status, job.error ?? '').toBe('succeeded');
      } finally {
        off();
      }
      return (result as unknown as { predictions: { path: string; probabilities: Record<string, number> }[] }).predictions.map(
        (p) => p.probabilities,
      );
    };
    // Without a project the training process caches converted graphs under its temp folder: point it here.
    const temp = join(tmp.dir, 'worker-temp');
    mkdirSync(temp);
    process.env.TMPDIR = temp;
    let onnx: Record<string, number>[];
    try {
      onnx = await predict();
    } finally {
      delete process.env.TMPDIR;
    }
    expect(readdirSync(join(temp, 'lds-onnx-cache')).filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    process.env.LDS_FORWARD = 'tfjs';
    let tfjs: Record<string, number>[];
    try {
      tfjs = await predict();
    } finally {
      delete process.env.LDS_FORWARD;
    }
    expect(onnx).toHaveLength(16);
    let max = 0;
    onnx.forEach((row, i) => Object.entries(row).forEach(([k, p]) => (max = Math.max(max, Math.abs(p - tfjs[i]![k]!)))));
    expect(max).toBeLessThanOrEqual(1e-4);
  });

  test('a typo in --device is the caller’s error, naming the choices', async () => {
    await expect(engine.call('train.start', { mode: 'bottleneck', device: 'tpu' })).rejects.toThrow(
      'unknown device "tpu": choose one of auto, cpu, dml, coreml, cuda',
    );
  });
});

describe('a backbone that does not convert', () => {
  test('runs on TF.js, and the run’s notes name the layer and why', async () => {
    // A small backbone with a layer the converter has no ONNX form for (UpSampling2D).
    const input = tf.input({ shape: [32, 32, 3] });
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, strides: 2, name: 'conv', activation: 'relu' })
      .apply(input) as tf.SymbolicTensor;
    const up = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ filters: 8, kernelSize: 3, name: 'features', activation: 'relu' }).apply(up) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out, name: 'odd' });
    const dir = join(tmp.dir, 'odd-backbone');
    await saveLayersModelToDir(model, dir);
    model.dispose();
    const added = await engine.call('backbones.add', { dir, id: 'odd', featureLayer: 'features', preprocessing: 'unit', inputSize: 32 });
    expect(added.id).toBe('odd');
    const { run } = await trainToEnd(engine, { mode: 'bottleneck', backbone: 'odd', epochs: 1 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    const metrics = run.metrics as Forwarded;
    expect(metrics.forward?.[0]?.engine).toBe('tfjs');
    expect(metrics.notes).toEqual([
      expect.stringMatching(/^forward pass up to features: TF\.js: layer up \(UpSampling2D\) does not convert to ONNX: /),
    ]);
  });
});
