import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumError,
  DownloadInterruptedError,
  OfflineError,
  downloadFile,
  downloadKerasWeights,
  officialWeights,
  installOfficialBackbone,
  type DownloadProgress,
} from '../../../../../src/main/training/backbones/download';
import { writeMobileNetV2KerasH5 } from './mobilenet-h5';

const BODY = randomBytes(300_000);
const SHA256 = createHash('sha256').update(BODY).digest('hex');

let server: Server;
let base: string;
let dir: string;
const rangesSeen: (string | undefined)[] = [];
/** When set, the next full response stops after this many bytes by dropping the connection. */
let cutAfter: number | null = null;
/** Files served as they are, by path. */
const files = new Map<string, Buffer>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-download-'));
  server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (file) {
      res.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    rangesSeen.push(req.headers.range);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= BODY.length) {
        res.writeHead(416, { 'content-range': `bytes */${BODY.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': BODY.length - start, 'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}` });
      res.end(BODY.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': BODY.length, 'content-type': 'application/octet-stream' });
    if (cutAfter !== null) {
      const n = cutAfter;
      cutAfter = null;
      res.write(BODY.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('downloadFile against a local HTTP server', () => {
  it('reports progress up to the total and verifies sha256', async () => {
    const progress: DownloadProgress[] = [];
    const dest = join(dir, 'whole.h5');
    const result = await downloadFile({ url: `${base}/whole.h5`, dest, sha256: SHA256, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ path: dest, bytes: BODY.length, sha256: SHA256, resumedFrom: 0 });
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(progress.at(-1)).toEqual({ received: BODY.length, total: BODY.length, resumedFrom: 0 });
    expect(progress.every((p, i) => i === 0 || p.received >= (progress[i - 1] as DownloadProgress).received)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('resumes with an HTTP Range request after an interrupted transfer', async () => {
    const dest = join(dir, 'resumed.h5');
    cutAfter = 100_000;
    rangesSeen.length = 0;
    await expect(downloadFile({ url: `${base}/resumed.h5`, dest, sha256: SHA256 })).rejects.toThrow(DownloadInterruptedError);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(BODY.length);
    expect(existsSync(dest)).toBe(false);

    const progress: DownloadProgress[] = [];
    const result = await downloadFile({ url: `${base}/resumed.h5`, dest, sha256: SHA256, onProgress: (p) => progress.push(p) });
    expect(rangesSeen).toEqual([undefined, `bytes=${partial}-`]);
    expect(result).toMatchObject({ resumedFrom: partial, bytes: BODY.length, sha256: SHA256 });
    expect(progress[0]).toEqual({ received: partial, total: BODY.length, resumedFrom: partial });
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('rejects a checksum mismatch and leaves no file behind', async () => {
    const dest = join(dir, 'bad.h5');
    const wrong = '0'.repeat(64);
    await expect(downloadFile({ url: `${base}/bad.h5`, dest, sha256: wrong })).rejects.toThrow(ChecksumError);
    await expect(downloadFile({ url: `${base}/bad.h5`, dest, sha256: wrong })).rejects.toThrow(
      `bad.h5: sha256 is ${SHA256}, expected ${wrong}`,
    );
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('official weights are checked against the md5 Keras publishes', async () => {
    await expect(downloadKerasWeights('vgg16', dir, { url: `${base}/vgg16.h5` })).rejects.toThrow(
      /md5 is [0-9a-f]{32}, expected 6d6bbae143d832006294945121d1f1fc/,
    );
    expect(existsSync(join(dir, officialWeights('vgg16').file))).toBe(false);
  });

  it('offline: names the file, its official URL and how to add it by hand', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const weights = officialWeights('resnet50');
    const attempt = downloadKerasWeights('resnet50', dir, { url: `http://127.0.0.1:${port}/resnet50.h5` });
    await expect(attempt).rejects.toThrow(OfflineError);
    await expect(downloadKerasWeights('resnet50', dir, { url: `http://127.0.0.1:${port}/resnet50.h5` })).rejects.toThrow(
      new RegExp(
        `cannot download ${weights.file} .*ECONNREFUSED.*Download ${weights.file} from ${weights.url.replace(/\./g, '\\.')} .*lds backbones add ${weights.file}`,
      ),
    );
  });
});

describe('installOfficialBackbone', () => {
  it('downloads an official file (MobileNet v2 layout, served locally) and adds it to the registry', async () => {
    const h5 = join(dir, 'source-mnv2.h5');
    await writeMobileNetV2KerasH5(h5);
    files.set('/mnv2.h5', readFileSync(h5));
    const progress: DownloadProgress[] = [];
    const result = await installOfficialBackbone('mobilenet_v2_1.0_224', {
      url: `${base}/mnv2.h5`,
      downloadsDir: join(dir, 'downloads'),
      registryDir: join(dir, 'registry'),
      onProgress: (p) => progress.push(p),
    });
    expect(progress.at(-1)?.received).toBe(statSync(h5).size);
    expect(result.file).toBe(join(dir, 'downloads', officialWeights('mobilenet_v2_1.0_224').file));
    expect(result.spec).toMatchObject({ id: 'mobilenet_v2_1.0_224', featureLayer: 'out_relu', topBlockStart: 'block_16_expand' });
    expect(existsSync(join(result.spec.dir, 'model.json'))).toBe(true);
  });
});
