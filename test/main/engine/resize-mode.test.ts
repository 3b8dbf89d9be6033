import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { readModelMetadata } from '../../../src/main/training/protocol/model-metadata';
import { decodeBatch, inputBatch } from '../../../src/main/training/worker/image-batches';
import { readModelArtifacts } from '../../../src/main/training/protocol/model-files';
import { copyCatsDogs, RESOURCES, tempDir, trainToEnd } from '../training/fixtures';

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(() => {
  tmp = tempDir('resize-mode');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
});
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('resize mode, chosen when a project is made', () => {
  test('a new project takes the choice (project.json); an old one without the file is stretch; reopening never changes it', async () => {
    const crop = join(tmp.dir, 'crop-project');
    expect((await engine.call('project.open', { dir: crop, create: true, resizeMode: 'centre-crop' })).resizeMode).toBe('centre-crop');
    expect(JSON.parse(readFileSync(join(crop, 'project.json'), 'utf8'))).toEqual({ resizeMode: 'centre-crop' });
    const plain = join(tmp.dir, 'plain-project');
    expect((await engine.call('project.open', { dir: plain, create: true })).resizeMode).toBe('stretch');
    expect(existsSync(join(plain, 'project.json'))).toBe(false);
    // Asking again for an existing project leaves its mode: its runs and caches were made with it.
    expect((await engine.call('project.open', { dir: crop, create: true, resizeMode: 'stretch' })).resizeMode).toBe('centre-crop');
    expect((await engine.call('project.state', {})).project?.resizeMode).toBe('centre-crop');
    writeFileSync(join(plain, 'project.json'), '{"resizeMode": "squash"}');
    await expect(engine.call('project.open', { dir: plain })).rejects.toThrow(
      /project\.json: resizeMode must be one of stretch, centre-crop/,
    );
  });

  test('a centre-crop project trains, records, predicts and exports with the crop', async () => {
    await engine.call('project.open', { dir: join(tmp.dir, 'crop-project') });
    const photos = copyCatsDogs(tmp.dir, 8, 4);
    const { jobId } = await engine.call('library.import', { paths: [photos] });
    expect((await engine.jobs.wait(jobId)).status).toBe('succeeded');
    const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 2, seed: 5 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.config).toMatchObject({ resizeMode: 'centre-crop' });
    const meta = readModelMetadata(run.modelDir as string);
    expect(meta.preprocessing.fit).toBe('centre-crop');

    const out = join(tmp.dir, 'crop-onnx');
    await engine.call('export.model', { runId: run.id, outDir: out, format: 'onnx' });
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))).toMatchObject({
      resizeMode: 'centre-crop',
      preprocessing: { fit: 'centre-crop' },
    });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/img\.crop/);

    // `lds predict` decodes with the crop: the exported model fed cropped pixels gives its numbers, stretched ones do not.
    const images = ['cats', 'dogs'].map((c) => join(photos, 'validation', c)).flatMap((d) => [join(d, readdirSync(d).sort()[0]!)]);
    /** `lds predict` (predict.files) on images, flattened in label order. */
    const predict = async (source: { runId: string } | { modelDir: string }): Promise<number[]> => {
      let result: unknown = null;
      let predictJob = '';
      const off = engine.events.subscribe((event, payload) => {
        if (event === 'job.finished' && (payload as { id: string }).id === predictJob) result = (payload as { result: unknown }).result;
      });
      try {
        predictJob = (await engine.call('predict.files', { ...source, paths: images })).jobId;
        expect((await engine.jobs.wait(predictJob)).status).toBe('succeeded');
      } finally {
        off();
      }
      const rows = (result as { predictions: { path: string; probabilities: Record<string, number> }[] }).predictions;
      return images.flatMap((p) => meta.labels.map((l) => rows.find((r) => r.path === p)!.probabilities[l]!));
    };
    const app = await predict({ runId: run.id });
    await tf.setBackend('cpu');
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    try {
      const run = async (fit: 'stretch' | 'centre-crop'): Promise<number> => {
        const batch = await inputBatch(
          images.map((path, i) => ({ path, sha256: `x${i}`, label: 0, split: 'validation' })),
          { ...meta.preprocessing, fit },
          null,
        );
        const data = batch.dataSync() as Float32Array;
        const shape = batch.shape;
        batch.dispose();
        const probs = (await session.run({ input: new ort.Tensor('float32', data, shape) })).output!.data as Float32Array;
        return Math.max(...app.map((p, i) => Math.abs(p - probs[i]!)));
      };
      expect(await run('centre-crop')).toBeLessThanOrEqual(1e-4);
      expect(await run('stretch')).toBeGreaterThan(1e-3);
    } finally {
      await session.release();
    }

    // The Teachable Machine export, fed pixels as TM's loader scales them (x / 127 - 1), gives `lds predict`'s numbers.
    const tmDir = join(tmp.dir, 'crop-tm');
    await engine.call('export.model', { runId: run.id, outDir: tmDir, format: 'tm' });
    const tmMeta = JSON.parse(readFileSync(join(tmDir, 'metadata.json'), 'utf8'));
    expect(tmMeta).toMatchObject({
      exportFormat: 'tm',
      resizeMode: 'centre-crop',
      tmInputScaling: { scale: 127 / 127.5 },
      // The folder's contract is its model's input: TM's scaling, which the first layer turns into the backbone's.
      preprocessing: { mode: 'tm', fit: 'centre-crop', channelOrder: 'rgb' },
    });
    expect(tmMeta.preprocessingSteps).toContain("x / 127 - 1 (values in [-1, 1.008], as Teachable Machine's loader scales)");
    expect(readFileSync(join(tmDir, 'README.md'), 'utf8')).toMatch(/x = x\.div\(127\)\.sub\(1\);/);
    // Its snippets crop the centre square before resizing, and the page's script parses.
    const html = readFileSync(join(tmDir, 'example.html'), 'utf8');
    expect(html).toMatch(/px\.slice\(\[Math\.floor\(\(px\.shape\[0\] - side\) \/ 2\)/);
    expect(() => new Function(html.split('<script>')[1]!.split('</script>')[0]!)).not.toThrow();
    expect(readFileSync(join(tmDir, 'README.md'), 'utf8')).toMatch(
      /as Teachable Machine crops; its loader resizes the square with the browser's canvas/,
    );
    const model = await tf.loadLayersModel(tf.io.fromMemory(readModelArtifacts(tmDir)));
    try {
      const pixels = await decodeBatch(
        images.map((path, i) => ({ path, sha256: `x${i}`, label: 0, split: 'validation' })),
        meta.preprocessing,
      );
      const probs = tf.tidy(() => (model.predict(pixels.toFloat().div(127).sub(1)) as tf.Tensor).dataSync() as Float32Array);
      pixels.dispose();
      expect(Math.max(...app.map((p, i) => Math.abs(p - probs[i]!)))).toBeLessThanOrEqual(1e-4);
    } finally {
      model.dispose();
    }
    // `lds predict <folder>` reads the folder's contract: the TM folder gives the run's numbers too.
    const viaFolder = await predict({ modelDir: tmDir });
    expect(Math.max(...app.map((p, i) => Math.abs(p - viaFolder[i]!)))).toBeLessThanOrEqual(1e-4);
  }, 180_000);
});
