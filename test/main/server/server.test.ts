import { copyFileSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsServerMessage } from '@shared/contract';
import { Engine } from '../../../src/main/engine/engine';
import { startServer, type RunningServer } from '../../../src/main/server';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let dir: string;
let engine: Engine;
let server: RunningServer;

const CAT = join(__dirname, '../../../../shared/data/cats_and_dogs_filtered/train/cats/cat.0.jpg');

function get(path: string, headers: Record<string, string> = {}): Promise<Reply & { bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'GET', headers: { host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const cookie = (): string => `lds_token=${server.token}`;

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, predicate: (m: WsServerMessage) => boolean = () => true): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if (!predicate(message)) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-server-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(rendererDir, 'map-frame.html'), '<!doctype html><title>map</title>');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  symlinkSync(join(dir, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: join(dir, 'resources'), version: '0.0.0-test' });
  server = await startServer(engine, { rendererDir });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode HTTP', () => {
  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses a request without the token', async () => {
    const reply = await get('/');
    expect(reply.status).toBe(403);
    expect(reply.body).not.toContain('studio');
  });

  it('refuses a wrong token', async () => {
    expect((await get('/?token=nope')).status).toBe(403);
    expect((await get('/', { cookie: 'lds_token=nope' })).status).toBe(403);
    expect((await get('/', { cookie: `lds_token_1=${server.token}` })).status).toBe(403);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie, then serves the renderer with a strict CSP', async () => {
    const first = await get(`/?token=${server.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    // Named after the port: a second `lds serve` must not overwrite this one's cookie.
    expect(setCookie).toContain(`lds_token_${server.port}=${server.token}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');

    const page = await get('/', { cookie: `lds_token_${server.port}=${server.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>studio</title>');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect((await get('/assets/app.js', { cookie: cookie() })).headers['content-type']).toContain('javascript');
  });

  it('serves the map frame (regl evals) framable by our own pages only; the app page stays unframable', async () => {
    const frame = await get('/map-frame.html', { cookie: cookie() });
    expect(frame.status).toBe(200);
    expect(String(frame.headers['content-security-policy'])).toContain("script-src 'self' 'unsafe-eval'");
    expect(String(frame.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
    expect(frame.headers['x-frame-options']).toBe('SAMEORIGIN');
    const page = await get('/', { cookie: cookie() });
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(String(page.headers['content-security-policy'])).not.toContain('unsafe-eval');
    expect((await get('/map-frame.html')).status).toBe(403);
  });

  it('a `//host` target stays a path: the token redirect never points at another site', async () => {
    const reply = await get(`//evil.example/?token=${server.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/evil.example/');
  });

  it('answers a malformed cookie with 403 and a non-path target with 400, not 500', async () => {
    expect((await get('/', { cookie: 'lds_token=%E0%A4%A' })).status).toBe(403);
    expect((await get('/', { cookie: `lds_token=%E0%A4%A; lds_token_${server.port}=${server.token}` })).status).toBe(200);
    expect((await get('http://x:99999/', { cookie: cookie() })).status).toBe(400);
  });

  it('refuses a foreign Origin even with a valid token', async () => {
    const reply = await get('/', { cookie: cookie(), origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
    expect((await get('/', { cookie: cookie(), origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('refuses a Host header that is not our loopback address (DNS rebinding)', async () => {
    expect((await get('/', { cookie: cookie(), host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get('/', { cookie: cookie(), host: '127.0.0.1:1' })).status).toBe(403);
    expect((await get('/', { cookie: cookie(), host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/link.txt']) {
      const reply = await get(path, { cookie: cookie() });
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('do not serve');
    }
  });

  it('answers image URLs only by numeric id', async () => {
    expect((await get('/images/abc/thumb', { cookie: cookie() })).status).toBe(404);
    expect((await get('/images/1/huge', { cookie: cookie() })).status).toBe(404);
    expect((await get('/images/1/thumb')).status).toBe(403);
  });
});

describe('browser-mode images', () => {
  it('serves thumbnails and full pictures of the open project by id, and says why it cannot', async () => {
    expect((await get('/images/1/thumb', { cookie: cookie() })).status).toBe(409);

    const source = join(dir, 'images', 'cats');
    mkdirSync(source, { recursive: true });
    copyFileSync(CAT, join(source, 'cat.0.jpg'));
    await engine.call('project.open', { dir: join(dir, 'workspace'), create: true });
    try {
      const { jobId } = await engine.call('library.import', { paths: [join(dir, 'images')] });
      expect((await engine.jobs.wait(jobId)).status).toBe('succeeded');
      const [image] = await engine.call('library.list', {});

      const thumb = await get(`/images/${image!.id}/thumb`, { cookie: cookie() });
      expect(thumb.status).toBe(200);
      expect(thumb.headers['content-type']).toMatch(/^image\//);
      expect(thumb.bytes.length).toBeGreaterThan(100);
      expect(String(thumb.headers['content-security-policy'])).toContain("default-src 'none'");

      const full = await get(`/images/${image!.id}/full?v=tag`, { cookie: cookie() });
      expect(full.status).toBe(200);
      expect(full.bytes[0]).toBe(0xff);
      expect([thumb.headers['cache-control'], full.headers['cache-control']]).toEqual(['private, max-age=60', 'no-store']);

      expect((await get('/images/999999/thumb', { cookie: cookie() })).status).toBe(404);
    } finally {
      await engine.call('project.close', {});
    }
  });
  it('a client that goes away before its picture is ready aborts the read (a queued thumbnail is not made)', async () => {
    const projects = engine.projects;
    const original = projects.readImage.bind(projects);
    let seen: AbortSignal | undefined;
    projects.readImage = (_id, _size, signal) => {
      seen = signal;
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('abandoned'))));
    };
    try {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        path: '/images/7/thumb',
        headers: { host: `127.0.0.1:${server.port}`, cookie: cookie() },
      });
      req.on('error', () => {});
      req.end();
      await expect.poll(() => seen).toBeDefined();
      expect(seen!.aborted).toBe(false);
      req.destroy();
      await expect.poll(() => seen!.aborted).toBe(true);
      // The server is still fine for the next asker.
      expect((await get('/images/x/thumb', { cookie: cookie() })).status).toBe(404);
    } finally {
      projects.readImage = original;
    }
  });
});

describe('browser-mode WebSocket', () => {
  it('refuses an upgrade without the token or from a foreign Origin', async () => {
    await expect(openSocket({})).rejects.toThrow(/403/);
    await expect(openSocket({ cookie: cookie(), origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openSocket({ cookie: cookie(), host: `evil.example:${server.port}` })).rejects.toThrow(/403/);
  });

  it('answers malformed messages with invalid_input and keeps the socket usable', async () => {
    const ws = await openSocket({ cookie: cookie(), origin: `http://127.0.0.1:${server.port}` });
    try {
      ws.send('this is not json');
      const notJson = await nextMessage(ws);
      expect(notJson).toMatchObject({ type: 'result', id: -1, result: { ok: false, error: { code: 'invalid_input' } } });

      ws.send(JSON.stringify({ type: 'invoke', id: 7, command: 42 }));
      const badShape = await nextMessage(ws);
      expect(badShape).toMatchObject({ type: 'result', id: 7, result: { ok: false, error: { code: 'invalid_input' } } });
      if (badShape.type === 'result' && !badShape.result.ok) expect(badShape.result.error.message).toMatch(/command/);

      ws.send(JSON.stringify({ type: 'invoke', id: 8, command: 'library.list', input: { filter: 'nonsense' } }));
      expect(await nextMessage(ws)).toMatchObject({ id: 8, result: { ok: false, error: { code: 'invalid_input' } } });

      ws.send(JSON.stringify({ type: 'invoke', id: 9, command: 'no.such.command', input: {} }));
      expect(await nextMessage(ws)).toMatchObject({ id: 9, result: { ok: false, error: { code: 'unknown_command' } } });

      ws.send(JSON.stringify({ type: 'invoke', id: 10, command: 'project.state', input: {} }));
      const good = await nextMessage(ws);
      expect(good).toMatchObject({ type: 'result', id: 10, result: { ok: true, output: { version: '0.0.0-test' } } });
    } finally {
      ws.close();
    }
  });

  it('forwards engine events to connected clients', async () => {
    const ws = await openSocket({ cookie: cookie() });
    try {
      const heard = nextMessage(ws, (m) => m.type === 'event');
      engine.events.emit('library.changed', { reason: 'test' });
      expect(await heard).toEqual({ type: 'event', event: 'library.changed', payload: { reason: 'test' } });
    } finally {
      ws.close();
    }
  });
});
