import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import type * as tfjs from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../../../../src/main/engine/engine';
import { loadModelForPrediction, predictFiles } from '../../../../../src/main/training/worker/predict';
import { CATS_DOGS, engineWithCatsDogs, tempDir, trainToEnd } from '../../fixtures';

const REPO = resolve(__dirname, '../../../../..');
const CHROMIUM = process.env.LDS_CHROMIUM ?? '/usr/bin/chromium';
const TOLERANCE = 1e-4;

// 20 real images the run never saw (from the end of the validation folders).
const IMAGES = ['cats', 'dogs'].flatMap((cls) =>
  readdirSync(join(CATS_DOGS, 'validation', cls))
    .sort()
    .slice(-10)
    .map((f) => join(CATS_DOGS, 'validation', cls, f)),
);

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let runId = '';
let exportDir = '';
let appProbs: Float32Array[] = [];

beforeAll(async () => {
  tmp = tempDir('export');
  engine = await engineWithCatsDogs(tmp.dir, 10, 5);
  // A hidden layer, so the exported head is Dense relu + Dense softmax like Teachable Machine's.
  const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 3, hidden: 8, seed: 2 });
  if (run.status !== 'succeeded' || !run.modelDir) throw new Error(run.error ?? 'training failed');
  runId = run.id;
  const loaded = await loadModelForPrediction(run.modelDir);
  try {
    appProbs = await predictFiles(loaded, IMAGES);
  } finally {
    loaded.dispose();
  }
  exportDir = join(tmp.dir, 'export');
  await engine.call('export.model', { runId, outDir: exportDir });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

function expectClose(actual: number[][], label: string): void {
  expect(actual).toHaveLength(appProbs.length);
  let worst = 0;
  actual.forEach((row, i) => row.forEach((p, j) => (worst = Math.max(worst, Math.abs(p - (appProbs[i]?.[j] as number))))));
  expect(worst, `${label}: largest difference from the app's probabilities`).toBeLessThan(TOLERANCE);
}

describe('TF.js export laid out like Teachable Machine', () => {
  test('files, nested Sequential topology and metadata keys', () => {
    expect(readdirSync(exportDir).sort()).toEqual(['README.md', 'example.html', 'metadata.json', 'model.json', 'weights.bin']);
    const model = JSON.parse(readFileSync(join(exportDir, 'model.json'), 'utf8'));
    expect(model.format).toBe('layers-model');
    const top = model.modelTopology;
    expect(top.class_name).toBe('Sequential');
    const [features, head] = top.config.layers;
    expect(features.class_name).toBe('Sequential');
    expect(features.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual([
      expect.stringMatching(/^(Model|Functional)$/),
      'GlobalAveragePooling2D',
    ]);
    expect(head.class_name).toBe('Sequential');
    expect(
      head.config.layers.map((l: { class_name: string; config: { activation: string; units: number } }) => [
        l.class_name,
        l.config.activation,
        l.config.units,
      ]),
    ).toEqual([
      ['Dense', 'relu', 8],
      ['Dense', 'softmax', 2],
    ]);
    const meta = JSON.parse(readFileSync(join(exportDir, 'metadata.json'), 'utf8'));
    for (const key of [
      'tfjsVersion',
      'tmVersion',
      'packageVersion',
      'packageName',
      'timeStamp',
      'userMetadata',
      'modelName',
      'labels',
      'imageSize',
    ])
      expect(meta).toHaveProperty(key);
    expect(meta).toMatchObject({
      labels: ['cats', 'dogs'],
      imageSize: 224,
      packageName: '@teachablemachine/image',
      runId,
      mode: 'bottleneck',
      preprocessing: { inputSize: 224, mode: 'tf', resize: 'bilinear' },
      backbone: { id: 'mobilenet_v2_0.35_224' },
    });
    expect(meta.metrics).toHaveProperty('valAccuracy');
    expect(readFileSync(join(exportDir, 'README.md'), 'utf8')).toMatch(/tf\.loadLayersModel/);
  });

  test('plain @tensorflow/tfjs in a fresh Node process matches the app on 20 real images', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'plain-tfjs-predict.mjs'), exportDir, ...IMAGES], {
      cwd: REPO,
      maxBuffer: 1 << 24,
      timeout: 80_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(result.labels).toEqual(['cats', 'dogs']);
    expect(result.backend).toBe('cpu');
    expectClose(result.probabilities, 'node child');
  }, 90_000);

  test("a --format tm export of this stretch run says plainly that Teachable Machine's loader will crop", async () => {
    const out = join(tmp.dir, 'export-tm-stretch');
    await engine.call('export.model', { runId, outDir: out, format: 'tm' });
    const meta = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ exportFormat: 'tm', resizeMode: 'stretch', preprocessing: { inputSize: 224 } });
    expect(meta.preprocessing.fit ?? 'stretch').toBe('stretch');
    expect(meta.tmLoaderCrop).toMatch(/trained on stretched pictures; Teachable Machine's loader crops the centre square instead/);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`Note: ${meta.tmLoaderCrop}.`);
  });

  test('exporting again leaks no tensors and replaces the folder whole', async () => {
    const before = tf.memory().numTensors;
    const again = await engine.call('export.model', { runId, outDir: join(tmp.dir, 'export-2') });
    expect(tf.memory().numTensors).toBe(before);
    expect(again.files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'metadata.json']));
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.partial'))).toEqual([]);
    await expect(engine.call('export.model', { runId: 'no-such-run', outDir: join(tmp.dir, 'x') })).rejects.toThrow(/no run "no-such-run"/);
  });

  test('the dataset exports as split/class/file folders with labels.csv', async () => {
    const out = join(tmp.dir, 'dataset');
    const result = await engine.call('export.dataset', { outDir: out });
    expect(result.images).toBe(30);
    expect(readdirSync(out).sort()).toEqual(['labels.csv', 'train', 'validation']);
    expect(readdirSync(join(out, 'train')).sort()).toEqual(['cats', 'dogs']);
    expect(readdirSync(join(out, 'validation', 'dogs'))).toHaveLength(5);
    const lines = readFileSync(result.labelsCsv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('file,split,class,sha256,source_path');
    expect(lines).toHaveLength(31);
    const [file, split, cls] = (lines[1] as string).split(',');
    expect(existsSync(join(out, file as string))).toBe(true);
    expect(file).toBe(`${split}/${cls}/${(file as string).split('/')[2]}`);
    await expect(engine.call('export.dataset', { outDir: out })).rejects.toThrow(/not empty/);
  });

  test('the app predicts with the export folder as with the run', async () => {
    const loaded = await loadModelForPrediction(exportDir);
    try {
      expectClose(
        (await predictFiles(loaded, IMAGES)).map((r) => Array.from(r)),
        'app on export',
      );
    } finally {
      loaded.dispose();
    }
  });

  test.skipIf(!existsSync(CHROMIUM))(
    'chromium loads the export from a minimal page on 127.0.0.1',
    async () => {
      const files: Record<string, string> = { '/tf.min.js': join(REPO, 'node_modules/@tensorflow/tfjs/dist/tf.min.js') };
      for (const f of readdirSync(exportDir)) files[`/model/${f}`] = join(exportDir, f);
      const server: Server = createServer((req, res) => {
        if (req.url === '/') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/tf.min.js"></script>');
          return;
        }
        const file = files[req.url ?? ''];
        if (!file) return void res.writeHead(404).end();
        res
          .writeHead(200, {
            'content-type': req.url?.endsWith('.js')
              ? 'text/javascript'
              : req.url?.endsWith('.json')
                ? 'application/json'
                : 'application/octet-stream',
          })
          .end(readFileSync(file));
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const port = (server.address() as { port: number }).port;
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${port}/`);
        // Decoded here as the metadata says (the page cannot read files); the page scales and predicts.
        const few = IMAGES.filter((_, i) => i % 5 === 0);
        const pixels = await Promise.all(
          few.map(async (f) =>
            Array.from(
              await sharp(f)
                .rotate()
                .flatten({ background: '#ffffff' })
                .resize(224, 224, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
                .removeAlpha()
                .raw()
                .toBuffer(),
            ),
          ),
        );
        const probs = (await page.evaluate(async (images: number[][]) => {
          const tf = (window as unknown as { tf: typeof tfjs }).tf;
          await tf.setBackend('cpu');
          const model = await tf.loadLayersModel('/model/model.json');
          const meta = await (await fetch('/model/metadata.json')).json();
          return images.map((px) =>
            tf.tidy(() => {
              const x = tf.tensor4d(px, [1, meta.imageSize, meta.imageSize, 3]).div(127.5).sub(1);
              return Array.from((model.predict(x) as tfjs.Tensor).dataSync());
            }),
          );
        }, pixels)) as number[][];
        const expected = appProbs.filter((_, i) => i % 5 === 0);
        probs.forEach((row, i) => row.forEach((p, j) => expect(Math.abs(p - (expected[i]?.[j] as number))).toBeLessThan(TOLERANCE)));
      } finally {
        await browser.close();
        server.close();
      }
    },
    60_000,
  );

  test('a scratch model goes out as it was trained, and plain tfjs still matches the app', async () => {
    const { run } = await trainToEnd(engine, { mode: 'scratch', epochs: 1, inputSize: 32, batchSize: 8, augment: 'none', seed: 4 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    const out = join(tmp.dir, 'export-scratch');
    await engine.call('export.model', { runId: run.id, outDir: out });
    const meta = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      layout: 'as-trained',
      mode: 'scratch',
      imageSize: 32,
      backbone: null,
      preprocessing: { inputSize: 32, mode: 'unit' },
    });
    const few = IMAGES.slice(0, 4);
    const loaded = await loadModelForPrediction(run.modelDir as string);
    let app: Float32Array[];
    try {
      app = await predictFiles(loaded, few);
    } finally {
      loaded.dispose();
    }
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'plain-tfjs-predict.mjs'), out, ...few], {
      cwd: REPO,
      maxBuffer: 1 << 24,
      timeout: 60_000,
    });
    const plain = JSON.parse(stdout.trim().split('\n').at(-1) as string).probabilities as number[][];
    plain.forEach((row, i) => row.forEach((p, j) => expect(Math.abs(p - (app[i]?.[j] as number))).toBeLessThan(TOLERANCE)));
  }, 60_000);
});
