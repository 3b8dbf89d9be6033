import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobInfo } from '@shared/contract';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../../src/main/engine/engine';
import { officialWeights } from '../../../../../src/main/training/backbones/download';
import { RESOURCES, tempDir } from '../../fixtures';
import { writeMobileNetV2KerasH5 } from './mobilenet-h5';

let tmp: ReturnType<typeof tempDir>;
let server: Server;
let body: Buffer;
let engine: Engine;
const ranges: (string | undefined)[] = [];
/** The first full response stops after this many bytes (a dropped connection). */
let cutAfter: number | null = null;

beforeAll(async () => {
  tmp = tempDir('backbone-download-job');
  const h5 = join(tmp.dir, 'mnv2.h5');
  await writeMobileNetV2KerasH5(h5);
  body = readFileSync(h5);
  server = createServer((req, res) => {
    ranges.push(req.headers.range);
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const headers = {
      'content-length': body.length - start,
      ...(start ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    };
    res.writeHead(start ? 206 : 200, headers);
    if (cutAfter !== null && !start) {
      const n = cutAfter;
      cutAfter = null;
      res.write(body.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.LDS_KERAS_WEIGHTS_BASE = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
  await engine.call('project.open', { dir: join(tmp.dir, 'ws'), create: true });
});

afterAll(async () => {
  delete process.env.LDS_KERAS_WEIGHTS_BASE;
  await engine?.close();
  await new Promise((resolve) => server?.close(resolve));
  tmp.cleanup();
});

describe('backbones.download: a job with progress that resumes after an interruption', () => {
  test('interrupted: the job fails and keeps the partial file; the next try resumes with a Range request and adds the backbone', async () => {
    const file = officialWeights('mobilenet_v2_1.0_224').file;
    const downloads = join(tmp.dir, 'ws', 'backbones', '.downloads');
    cutAfter = Math.floor(body.length / 2);
    const first = await engine.call('backbones.download', { id: 'mobilenet_v2_1.0_224' });
    const failed = await engine.jobs.wait(first.jobId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(file);
    expect(readdirSync(downloads).some((n) => n.startsWith(file))).toBe(true);
    expect((await engine.call('backbones.list', {})).map((b) => b.id)).toEqual(['mobilenet_v2_0.35_224']);

    const progress: JobInfo[] = [];
    const off = engine.events.on('job.progress', (job) => {
      if (job.kind === 'backbone-download') progress.push(job);
    });
    const tensorsBefore = tf.memory().numTensors;
    const second = await engine.call('backbones.download', { id: 'mobilenet_v2_1.0_224' });
    const done = await engine.jobs.wait(second.jobId);
    off();
    // The import ran in this process: nothing of the rebuilt model may stay behind.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(ranges.at(-1)).toMatch(/^bytes=\d+-$/);
    expect(progress.some((p) => p.total === body.length || p.done > 0)).toBe(true);
    const list = await engine.call('backbones.list', {});
    expect(list.map((b) => b.id)).toEqual(['mobilenet_v2_0.35_224', 'mobilenet_v2_1.0_224']);
    expect(list[1]).toMatchObject({ arch: 'mobilenet_v2', featureLayer: 'out_relu', topBlockStart: 'block_16_expand' });
    expect(existsSync(join(tmp.dir, 'ws', 'backbones', 'mobilenet_v2_1.0_224', 'model.json'))).toBe(true);
    expect((await engine.call('backbones.downloadable', {})).find((d) => d.id === 'mobilenet_v2_1.0_224')?.installed).toBe(true);
  });

  test('an unknown id is refused at once, naming the ones there are', async () => {
    await expect(engine.call('backbones.download', { id: 'alexnet' })).rejects.toThrow(
      /unknown Keras weights alexnet: one of vgg16, mobilenet_v2_1.0_224, resnet50/,
    );
  });
});
