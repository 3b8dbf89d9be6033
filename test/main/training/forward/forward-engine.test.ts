import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledBackbone } from '../../../../src/main/training/backbones/backbone-inspect';
import { loadBackbone, type LoadedBackbone } from '../../../../src/main/training/backbones/backbones';
import { convertLayersModel } from '../../../../src/main/training/forward/convert';
import {
  batchShape,
  createForward,
  globalAveragePool,
  plainInput,
  preprocessRgbInto,
  runPipelined,
  type ForwardEngine,
  type LayersModelConverter,
} from '../../../../src/main/training/forward';
import { builtinPreset } from '../../../../src/main/augment/presets';
import { FeatureCache } from '../../../../src/main/training/protocol/feature-cache';
import { extractFeatures } from '../../../../src/main/training/worker/modes/bottleneck';
import { preprocess, type Preprocessing } from '../../../../src/main/training/worker/preprocess';
import { useWasmBackend } from '../backbones/keras/helpers';
import { CATS_DOGS, RESOURCES, tempDir } from '../fixtures';

const TOLERANCE = 1e-4;

/** Real validation photos, cats and dogs alternating. */
function photos(count: number): { path: string }[] {
  const lists = ['cats', 'dogs'].map((c) =>
    readdirSync(join(CATS_DOGS, 'validation', c))
      .sort()
      .map((f) => join(CATS_DOGS, 'validation', c, f)),
  );
  return Array.from({ length: count }, (_, i) => ({ path: lists[i % 2]![Math.floor(i / 2)]! }));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('forward engine on the bundled MobileNet v2', () => {
  let tmp: ReturnType<typeof tempDir>;
  let backbone: LoadedBackbone;
  let input: Float32Array;
  const count = 6;
  let calls = 0;
  const counting: LayersModelConverter = (model, options) => {
    calls++;
    return convertLayersModel(model, options);
  };

  beforeAll(async () => {
    await useWasmBackend();
    tmp = tempDir('forward');
    backbone = await loadBackbone(bundledBackbone(RESOURCES));
    input = await plainInput(photos(count), backbone.spec.preprocessing);
  });
  afterAll(() => {
    backbone?.dispose();
    tmp?.cleanup();
  });

  it('runs on ONNX Runtime (cpu here) and gives TF.js features within 1e-4 on real photos', async () => {
    const before = tf.memory().numTensors;
    const forward = createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' });
    const ort = await forward.open(backbone.model, backbone.spec.featureLayer);
    const tfjs = await createForward({ featuresDir: tmp.dir, engine: 'tfjs' }).open(backbone.model, backbone.spec.featureLayer);
    try {
      expect(ort.engine).toBe('onnxruntime');
      expect(ort.provider).toBe('cpu');
      expect(ort.outputShape).toEqual([7, 7, 1280]);
      expect(tfjs.engine).toBe('tfjs');
      const [a, b] = [await ort.run(input, count), await tfjs.run(input, count)];
      expect(a.length).toBe(count * 7 * 7 * 1280);
      expect(Math.max(...b.subarray(0, 5000))).toBeGreaterThan(1);
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(TOLERANCE);
      // Pooled features, as the bottleneck cache stores them.
      const pooledTf = tf.tidy(() => tf.mean(tf.tensor4d(b, [count, 7, 7, 1280]), [1, 2]).dataSync() as Float32Array);
      expect(maxAbsDiff(globalAveragePool(a, count, ort.outputShape), pooledTf)).toBeLessThanOrEqual(TOLERANCE);
      expect(forward.notes[0]).toMatch(/^forward pass up to out_relu: onnxruntime 1\.\d+\.\d+ on cpu/);
    } finally {
      await ort.dispose();
      await tfjs.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs ONNX Runtime on a thread of its own: the event loop turns during a batch; LDS_ORT_THREAD=0 runs it here, same answer', async () => {
    const open = () =>
      createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' }).open(
        backbone.model,
        backbone.spec.featureLayer,
      );
    const big = new Float32Array(8 * input.length);
    for (let k = 0; k < 8; k++) big.set(input, k * input.length);
    /** Timer turns while a batch runs: none when the run holds this thread. */
    const turnsDuring = async (engine: Awaited<ReturnType<typeof open>>, x: Float32Array, transfer: boolean) => {
      let turns = 0;
      const timer = setInterval(() => turns++, 1);
      try {
        // Past the first turn, so the count covers the batch alone.
        await new Promise((resolve) => setTimeout(resolve, 5));
        turns = 0;
        const y = await engine.run(x, 8 * count, { transfer });
        return { y, turns };
      } finally {
        clearInterval(timer);
      }
    };
    const threaded = await open();
    let viaThread: { y: Float32Array; turns: number };
    try {
      const kept = await turnsDuring(threaded, big, false);
      expect(big.length).toBe(8 * input.length); // copied, not taken
      const given = big.slice();
      viaThread = await turnsDuring(threaded, given, true);
      expect(given.length).toBe(0); // its buffer moved to the thread
      expect(maxAbsDiff(kept.y, viaThread.y)).toBe(0);
    } finally {
      await threaded.dispose();
    }
    process.env.LDS_ORT_THREAD = '0';
    const here = await open().finally(() => delete process.env.LDS_ORT_THREAD);
    try {
      const inThread = await turnsDuring(here, big.slice(), true);
      expect(maxAbsDiff(inThread.y, viaThread.y)).toBe(0);
      // 48 pictures take tens of milliseconds: a 1 ms timer turns many times beside a thread, at
      // most once or twice while the run holds this one.
      expect(viaThread.turns).toBeGreaterThanOrEqual(5);
      expect(inThread.turns).toBeLessThan(viaThread.turns / 2);
    } finally {
      await here.dispose();
    }
  });

  it('caches the converted graph on disk by content and converts only once', async () => {
    const dir = join(tmp.dir, 'onnx');
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const converted = calls;
    const engine = await createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' }).open(
      backbone.model,
      backbone.spec.featureLayer,
    );
    await engine.dispose();
    expect(engine.engine).toBe('onnxruntime');
    expect(calls).toBe(converted);
    // Another output layer is another graph.
    const lower = await createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' }).open(
      backbone.model,
      'block_16_expand',
    );
    await lower.dispose();
    expect(lower.engine).toBe('onnxruntime');
    expect(calls).toBe(converted + 1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.onnx'))).toHaveLength(2);
  });

  it('a damaged cached graph is converted again, not a lasting fallback', async () => {
    const dir = join(tmp.dir, 'onnx');
    const damaged = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    for (const f of damaged) truncateSync(join(dir, f), 1000);
    const converted = calls;
    const engine = await createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' }).open(
      backbone.model,
      backbone.spec.featureLayer,
    );
    await engine.dispose();
    expect(engine.engine).toBe('onnxruntime');
    expect(calls).toBe(converted + 1);
    // The opened graph was written again whole; the other stays damaged until it is opened.
    expect(damaged.map((f) => statSync(join(dir, f)).size > 100_000).sort()).toEqual([false, true]);
  });

  it('a cached graph whose bytes changed is a miss (never a wrong graph)', async () => {
    const dir = join(tmp.dir, 'onnx');
    const file = readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => join(dir, f))
      .find((f) => statSync(f).size > 100_000)!;
    // One flipped byte near the end, where the weights are: the protobuf still parses.
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0x40, bytes.length - 10);
    writeFileSync(file, bytes);
    const converted = calls;
    const engine = await createForward({ featuresDir: tmp.dir, converter: counting, converterVersion: 'test' }).open(
      backbone.model,
      backbone.spec.featureLayer,
    );
    await engine.dispose();
    expect(engine.engine).toBe('onnxruntime');
    expect(calls).toBe(converted + 1);
  });

  it('falls back to TF.js naming the layer when the converter cannot express it', async () => {
    const notes: string[] = [];
    const refusing: LayersModelConverter = () => ({
      ok: false,
      layer: 'block_3_depthwise',
      className: 'DepthwiseConv2D',
      reason: 'test: no such op',
    });
    const forward = createForward({ featuresDir: join(tmp.dir, 'refused'), converter: refusing, onNote: (n) => notes.push(n) });
    const engine = await forward.open(backbone.model, backbone.spec.featureLayer);
    expect(engine.engine).toBe('tfjs');
    expect(engine.provider).toBeNull();
    expect(engine.reason).toBe('TF.js: layer block_3_depthwise (DepthwiseConv2D) does not convert to ONNX: test: no such op');
    expect(forward.reports[0]?.unsupported).toEqual({
      layer: 'block_3_depthwise',
      className: 'DepthwiseConv2D',
      reason: 'test: no such op',
    });
    expect(notes).toEqual([`forward pass up to out_relu: ${engine.reason}`]);
    // And the answer is still right: TF.js runs it.
    const out = await engine.run(input.subarray(0, 224 * 224 * 3), 1);
    expect(out.length).toBe(7 * 7 * 1280);
    expect(existsSync(join(tmp.dir, 'refused', 'onnx'))).toBe(false);
  });

  it('refuses a converted graph that does not match TF.js (never a wrong answer)', async () => {
    // A converter bug, simulated: the graph of another layer with the same shape.
    const wrong: LayersModelConverter = (model) => convertLayersModel(model, { outputLayer: 'Conv_1' });
    const engine = await createForward({ featuresDir: join(tmp.dir, 'wrong'), converter: wrong }).open(
      backbone.model,
      backbone.spec.featureLayer,
    );
    expect(engine.engine).toBe('tfjs');
    expect(engine.reason).toMatch(/^TF\.js: the converted graph differs from TF\.js \(relative error .* > 0\.001\)$/);
    expect(existsSync(join(tmp.dir, 'wrong', 'onnx'))).toBe(false);
  });

  it('a converter that throws is a fallback with its message, not a failed run', async () => {
    const throwing: LayersModelConverter = () => {
      throw new Error('boom');
    };
    const engine = await createForward({ featuresDir: join(tmp.dir, 'throws'), converter: throwing }).open(
      backbone.model,
      backbone.spec.featureLayer,
    );
    expect(engine.engine).toBe('tfjs');
    expect(engine.reason).toBe('TF.js: the model does not convert to ONNX: the converter failed: boom');
  });
});

describe('bottleneck features through the engine', () => {
  it('plain and augmented variants on ONNX Runtime equal the TF.js path within 1e-4, in request order', async () => {
    await useWasmBackend();
    const tmp = tempDir('forward-extract');
    const backbone = await loadBackbone(bundledBackbone(RESOURCES));
    try {
      const items = photos(5).map((p, i) => ({
        path: p.path,
        sha256: createHash('sha256').update(p.path).digest('hex'),
        label: i % 2,
        split: 'train' as const,
      }));
      // Plain and augmented requests interleaved: the engine's path runs them in two passes and must put rows back.
      const requests = items.flatMap((item, i) => [
        { item, variant: null },
        { item, variant: i % 3 },
      ]);
      const augment = { params: builtinPreset('keras-blog')!.params, seed: 7 };
      const ctx = { progress: () => {}, checkpoint: async () => {} };
      const before = tf.memory().numTensors;
      const forward = createForward({ featuresDir: join(tmp.dir, 'a') });
      const onnx = await extractFeatures(ctx, backbone, new FeatureCache(join(tmp.dir, 'a')), requests, augment, null, forward);
      expect(forward.reports.map((r) => r.engine)).toEqual(['onnxruntime']);
      const tfjs = await extractFeatures(ctx, backbone, new FeatureCache(join(tmp.dir, 'b')), requests, augment, null, null);
      expect(onnx.computed).toBe(10);
      expect(onnx.features.length).toBe(10 * 1280);
      expect(maxAbsDiff(onnx.features, tfjs.features)).toBeLessThanOrEqual(TOLERANCE);
      // An augmented variant is another picture: its features differ from the plain one's.
      expect(maxAbsDiff(onnx.features.subarray(0, 1280), onnx.features.subarray(1280, 2560))).toBeGreaterThan(0.01);
      expect(tf.memory().numTensors).toBe(before);
      // Everything cached now: a second pass opens no engine.
      const again = createForward({ featuresDir: join(tmp.dir, 'a') });
      const cached = await extractFeatures(ctx, backbone, new FeatureCache(join(tmp.dir, 'a')), requests, augment, null, again);
      expect(cached.fromCache).toBe(10);
      expect(again.reports).toEqual([]);
    } finally {
      backbone.dispose();
      tmp.cleanup();
    }
  });
});

describe('model input without tensors', () => {
  const contracts: Preprocessing[] = [
    { inputSize: 4, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' },
    { inputSize: 4, channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' },
    { inputSize: 4, channelOrder: 'rgb', mode: 'tm', resize: 'bilinear' },
    { inputSize: 4, channelOrder: 'bgr', mode: 'caffe', mean: [103.939, 116.779, 123.68], resize: 'bilinear' },
    { inputSize: 4, channelOrder: 'bgr', mode: 'caffe', resize: 'nearest' },
  ];
  it.each(contracts)('preprocessRgbInto equals preprocess() bit for bit ($mode, $channelOrder)', (p) => {
    const rgb = Uint8Array.from({ length: 256 * 3 }, (_, i) => (i * 7 + (i >> 8)) % 256);
    const expected = tf.tidy(() => preprocess(tf.tensor3d(Int32Array.from(rgb), [16, 16, 3], 'int32'), p).dataSync() as Float32Array);
    const out = new Float32Array(rgb.length + 5);
    preprocessRgbInto(rgb, p, out, 5);
    expect(Array.from(out.subarray(5))).toEqual(Array.from(expected));
  });
});

describe('batchShape', () => {
  it('fills the spatial size of a model that takes any picture size from the batch itself', () => {
    expect(batchShape(new Float32Array(2 * 224 * 224 * 3), 2, [224, 224, 3])).toEqual([2, 224, 224, 3]);
    expect(batchShape(new Float32Array(2 * 160 * 160 * 3), 2, [-1, -1, 3])).toEqual([2, 160, 160, 3]);
  });
  it('pools a batch whose map size the shape does not say', () => {
    const y = Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => i);
    expect(Array.from(globalAveragePool(y, 2, [-1, -1, 2]))).toEqual([3, 4, 11, 12]);
  });
});

describe('runPipelined', () => {
  const echo: ForwardEngine = {
    engine: 'tfjs',
    provider: null,
    reason: 'test',
    inputShape: [1, 1, 1],
    outputShape: [1, 1, 1],
    run: async (x) => x.map((v) => v * 2),
    dispose: async () => {},
  };

  it('runs every batch in order, decoding ahead', async () => {
    const started: number[] = [];
    const got: number[] = [];
    await runPipelined(echo, {
      count: 10,
      batchSize: 4,
      input: async (from, to) => {
        started.push(from);
        return Float32Array.from({ length: to - from }, (_, i) => from + i);
      },
      output: (_from, _to, y) => {
        got.push(...y);
      },
    });
    expect(got).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(started).toEqual([0, 4, 8]);
  });

  it('a failed decode fails the pass with its message; a cancel stops it', async () => {
    const bad = runPipelined(echo, {
      count: 8,
      batchSize: 4,
      input: async (from) => (from === 4 ? Promise.reject(new Error('cannot read image x.jpg')) : new Float32Array(4)),
      output: () => {},
    });
    await expect(bad).rejects.toThrow('cannot read image x.jpg');
    let batches = 0;
    const cancelled = runPipelined(echo, {
      count: 12,
      batchSize: 4,
      checkpoint: async () => {
        if (batches === 1) throw new Error('cancelled');
      },
      input: async (from, to) => new Float32Array(to - from),
      output: () => {
        batches++;
      },
    });
    await expect(cancelled).rejects.toThrow('cancelled');
    expect(batches).toBe(1);
  });
});
