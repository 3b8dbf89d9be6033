import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { explainImagesResultSchema, explanationSchema, type Explanation } from '@shared/contract';
import { Engine } from '../../../src/main/engine/engine';
import { RESOURCES, tempDir, trainToEnd } from '../training/fixtures';
import { lastJson, runLds } from './cli-capture';
import { massInQuadrant, QUADRANT_NAMES, writeQuadrantSet, type Quadrant } from './quadrant-pictures';

/** Job results arrive only with job.finished: kept from the start so no fast job is missed. */
const results = new Map<string, unknown>();
function explainer(engine: Engine): (input: Parameters<Engine['call']>[1] & object) => Promise<Explanation> {
  engine.events.subscribe((event, payload) => {
    if (event === 'job.finished') results.set(payload.id, payload.result);
  });
  return async (input) => {
    const { jobId } = await engine.call('explain.image', input as never);
    const job = await engine.jobs.wait(jobId);
    if (job.status !== 'succeeded') throw new Error(job.error ?? job.status);
    return explanationSchema.parse(results.get(jobId));
  };
}

async function openWithPictures(dir: string, photos: string): Promise<Engine> {
  const engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
  await engine.call('project.open', { dir: join(dir, 'ws'), create: true });
  const job = await engine.jobs.wait((await engine.call('library.import', { paths: [photos] })).jobId);
  if (job.status !== 'succeeded') throw new Error(`import failed: ${job.error}`);
  return engine;
}

/** Catalogue ids of pictures, by path. */
async function idsByPath(engine: Engine, paths: string[]): Promise<Map<string, number>> {
  const ids = await engine.call('library.imageIdsByPath', { paths });
  return new Map(paths.map((p, i) => [p, ids[i] as number]));
}

describe('Grad-CAM sanity: a disc in one quadrant decides the class, and the heatmap finds it (issue 18, item 3)', () => {
  describe('bottleneck (MobileNet features + head): "disc" vs "plain", the disc in a different quadrant per picture', () => {
    let tmp: ReturnType<typeof tempDir>;
    let engine: Engine;
    let explain: ReturnType<typeof explainer>;
    let pictures: Awaited<ReturnType<typeof writeQuadrantSet>>;
    let runId = '';

    beforeAll(async () => {
      tmp = tempDir('explain-bottleneck');
      pictures = await writeQuadrantSet(
        join(tmp.dir, 'photos'),
        { disc: (i) => (i % 4) as Quadrant, plain: () => null },
        { train: 24, validation: 4 },
        128,
        11,
      );
      engine = await openWithPictures(tmp.dir, join(tmp.dir, 'photos'));
      explain = explainer(engine);
      const { run } = await trainToEnd(engine, { mode: 'bottleneck', epochs: 30, seed: 5 });
      if (run.status !== 'succeeded') throw new Error(run.error ?? 'training failed');
      runId = run.id;
    }, 480_000);
    afterAll(async () => {
      await engine?.close();
      tmp?.cleanup();
    });

    /** Each validation picture with a disc, explained for "disc" by the run (one job): the share of the map in the disc's quadrant. */
    async function sharesOf(run: string): Promise<number[]> {
      const discs = pictures.filter((p) => p.split === 'validation' && p.quadrant !== null);
      const ids = await idsByPath(
        engine,
        discs.map((p) => p.path),
      );
      const { jobId } = await engine.call('explain.images', {
        runId: run,
        imageIds: discs.map((p) => ids.get(p.path) as number),
        className: 'disc',
      });
      const job = await engine.jobs.wait(jobId);
      expect(job.status, job.error ?? '').toBe('succeeded');
      const result = explainImagesResultSchema.parse(results.get(jobId));
      expect(result.skipped).toEqual([]);
      expect(result.explanations).toHaveLength(4);
      return discs.map((p) => {
        const e = result.explanations.find((x) => x.imageId === ids.get(p.path))!;
        expect(e).toMatchObject({
          explained: 'disc',
          classes: ['disc', 'plain'],
          gridWidth: 7,
          gridHeight: 7,
          fit: 'stretch',
          overlay: null,
        });
        const share = massInQuadrant(e, p.quadrant as Quadrant);
        expect(share, `${p.path}: disc ${QUADRANT_NAMES[p.quadrant as Quadrant]}`).toBeGreaterThan(0.5);
        return share;
      });
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

    test('for every validation picture with a disc, most of the heatmap lies in the disc’s quadrant', async () => {
      // A uniform map would put a quarter there.
      expect(mean(await sharesOf(runId))).toBeGreaterThan(0.7);
    }, 180_000);

    test('a fine-tune run from it is explained with its own retrained weights, and still finds the disc', async () => {
      const { run } = await trainToEnd(engine, { mode: 'finetune', from: runId, epochs: 1, seed: 5, augment: 'none' });
      expect(run.status, run.error ?? '').toBe('succeeded');
      expect(mean(await sharesOf(run.id))).toBeGreaterThan(0.7);
    }, 300_000);

    test('by path and by bytes the same picture gets the same map; the predicted class is explained unless another is named', async () => {
      const p = pictures.find((q) => q.split === 'validation' && q.quadrant === 3)!;
      const byPath = await explain({ runId, path: p.path });
      const byBytes = await explain({ runId, file: { name: 'my picture.png', data: readFileSync(p.path).toString('base64') } });
      expect(byPath.explained).toBe(byPath.predicted);
      expect(byPath.predicted).toBe('disc');
      expect(byBytes.image).toBe('my picture.png');
      expect(byBytes.imageId).toBeNull();
      // A file the catalogue knows keeps its id.
      expect(byPath.imageId).toBe((await engine.call('library.imageIdsByPath', { paths: [p.path] }))[0]);
      byPath.grid.forEach((v, i) => expect(byBytes.grid[i]).toBeCloseTo(v, 5));
      expect(byPath.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const other = await explain({ runId, path: p.path, className: 'plain' });
      expect(other.explained).toBe('plain');
      expect(other.predicted).toBe('disc');
    }, 180_000);

    test('overlay: a PNG of the picture’s own size, coloured where the disc is', async () => {
      const p = pictures.find((q) => q.split === 'validation' && q.quadrant === 0)!;
      const e = await explain({ runId, path: p.path, overlay: true });
      expect(e.overlay).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(e.overlay!.slice(e.overlay!.indexOf(',') + 1), 'base64');
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
      expect([e.width, e.height]).toEqual([128, 128]);
      // Warm colours (red over blue) where the disc is, cold ones in the opposite quadrant.
      const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const warmth = (x0: number, y0: number): number => {
        let sum = 0;
        for (let y = y0; y < y0 + 64; y++)
          for (let x = x0; x < x0 + 64; x++) sum += data[(y * 128 + x) * 3]! - data[(y * 128 + x) * 3 + 2]!;
        return sum / 64 / 64;
      };
      expect(warmth(0, 0)).toBeGreaterThan(warmth(64, 64) + 20);
    }, 120_000);

    test('lds explain <run> <image> --out heat.png writes the picture with its map; --json ends with one object', async () => {
      const p = pictures.find((q) => q.split === 'validation' && q.quadrant === 1)!;
      const out = join(tmp.dir, 'out', 'heat.png');
      const byPath = await runLds(tmp.dir, ['explain', runId, p.path, '--out', out, '--class', 'disc', '--json']);
      expect(byPath.code, byPath.stderr).toBe(0);
      const json = lastJson(byPath.stdout);
      expect(json).toMatchObject({ runId, explained: 'disc', gridWidth: 7, gridHeight: 7, width: 128, height: 128, out, fit: 'stretch' });
      expect(json.grid).toHaveLength(49);
      expect(Object.keys(json.probabilities)).toEqual(['disc', 'plain']);
      expect(json.overlay).toBeUndefined();
      const meta = await sharp(readFileSync(out)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
      // A catalogue id works too; without --out nothing is written and people get sentences.
      const [id] = await engine.call('library.imageIdsByPath', { paths: [p.path] });
      const byId = await runLds(tmp.dir, ['explain', runId, String(id)]);
      expect(byId.code, byId.stderr).toBe(0);
      expect(byId.stdout).toMatch(/: predicted (disc|plain) \(\d+\.\d%\)\nexplained \w+.* from layer out_relu, a 7x7 map\n$/);
      const help = await runLds(tmp.dir, ['explain', '--help']);
      expect(help.stdout).toMatch(/--out FILE/);
      expect(help.stdout).toMatch(/--class NAME/);
      const wrong = await runLds(tmp.dir, ['explain', runId, p.path, '--class', 'dogs', '--json']);
      expect(wrong.code).not.toBe(0);
      expect(lastJson(wrong.stdout).error.message).toBe(`run ${runId} has no class "dogs" (its classes: disc, plain)`);
      const missing = await runLds(tmp.dir, ['explain', runId, 'no-such.png']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/no such file: .*no-such\.png/);
    }, 180_000);

    test('bad input is refused by name before any work: unknown class, image, run; two pictures at once; not a picture', async () => {
      const p = pictures[0]!;
      const noClass = await engine.invoke('explain.image', { runId, path: p.path, className: 'dogs' });
      expect(!noClass.ok && noClass.error.message).toBe(`run ${runId} has no class "dogs" (its classes: disc, plain)`);
      const noImage = await engine.invoke('explain.image', { runId, imageId: 99999 });
      expect(!noImage.ok && noImage.error).toMatchObject({ code: 'not_found', message: 'no image with id 99999' });
      const noRun = await engine.invoke('explain.image', { runId: 'nope', path: p.path });
      expect(!noRun.ok && noRun.error.message).toMatch(/no run "nope"/);
      const two = await engine.invoke('explain.image', { runId, path: p.path, imageId: 1 });
      expect(!two.ok && two.error.message).toMatch(/exactly one of imageId, path and file/);
      const text = join(tmp.dir, 'notes.png');
      writeFileSync(text, 'not a picture');
      await expect(explain({ runId, path: text })).rejects.toThrow(/notes\.png: .*not an image/);
    });
  });

  describe('scratch CNN: "disc" vs "plain", the disc in a different quadrant per picture', () => {
    let tmp: ReturnType<typeof tempDir>;
    let engine: Engine;
    let pictures: Awaited<ReturnType<typeof writeQuadrantSet>>;
    let runId = '';

    beforeAll(async () => {
      tmp = tempDir('explain-scratch');
      pictures = await writeQuadrantSet(
        join(tmp.dir, 'photos'),
        { disc: (i) => ((i * 3) % 4) as Quadrant, plain: () => null },
        { train: 32, validation: 4 },
        96,
        23,
      );
      engine = await openWithPictures(tmp.dir, join(tmp.dir, 'photos'));
      // Keeps job results (explain.images answers with job.finished).
      explainer(engine);
      const { run } = await trainToEnd(engine, { mode: 'scratch', inputSize: 96, epochs: 15, seed: 2, augment: 'none' });
      if (run.status !== 'succeeded') throw new Error(run.error ?? 'training failed');
      runId = run.id;
    }, 480_000);
    afterAll(async () => {
      await engine?.close();
      tmp?.cleanup();
    });

    test('each picture’s map lies mostly in the quadrant of its disc (the last convolution, 20x20 at 96 px)', async () => {
      const discs = pictures.filter((p) => p.split === 'validation' && p.quadrant !== null);
      const ids = await idsByPath(
        engine,
        discs.map((p) => p.path),
      );
      const { jobId } = await engine.call('explain.images', {
        runId,
        imageIds: discs.map((p) => ids.get(p.path) as number),
        className: 'disc',
      });
      const job = await engine.jobs.wait(jobId);
      expect(job.status, job.error ?? '').toBe('succeeded');
      const { explanations } = explainImagesResultSchema.parse(results.get(jobId));
      const shares = discs.map((p) => {
        const e = explanations.find((x) => x.imageId === ids.get(p.path))!;
        expect(e).toMatchObject({ layer: 'conv3', gridWidth: 20, gridHeight: 20 });
        const share = massInQuadrant(e, p.quadrant as Quadrant);
        expect(share, `${p.path}: disc ${QUADRANT_NAMES[p.quadrant as Quadrant]}`).toBeGreaterThan(0.5);
        return share;
      });
      expect(shares).toHaveLength(4);
      expect(shares.reduce((a, b) => a + b, 0) / shares.length).toBeGreaterThan(0.7);
    }, 180_000);
  });
});
