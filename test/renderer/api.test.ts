import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../src/main/engine/engine';
import { startServer, type RunningServer } from '../../src/main/server';
import { ApiError, WebSocketApi, type WebSocketLike } from '../../src/renderer/src/lib/api';

let dir: string;
let engine: Engine;
let server: RunningServer;

/** The renderer's client as browser mode runs it, with the `ws` package standing in for the browser's WebSocket. */
function client(): WebSocketApi {
  return new WebSocketApi({
    url: `ws://127.0.0.1:${server.port}/ws`,
    createSocket: (url) => new WebSocket(url, { headers: { cookie: `lds_token=${server.token}` } }) as unknown as WebSocketLike,
    reconnectDelayMs: 50,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-api-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>');
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: join(dir, 'resources'), version: '0.0.0-test' });
  server = await startServer(engine, { rendererDir: join(dir, 'renderer') });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WebSocketApi (the renderer client in browser mode)', () => {
  it('invokes commands, queueing calls made before the socket opens', async () => {
    const api = client();
    try {
      expect(api.transport).toBe('websocket');
      const [a, b] = await Promise.all([api.invoke('project.state', {}), api.invoke('jobs.list', {})]);
      expect(a.version).toBe('0.0.0-test');
      expect(a.project).toBeNull();
      expect(b).toEqual([]);
    } finally {
      api.close();
    }
  });

  it('turns a failed command into an ApiError carrying the contract code', async () => {
    const api = client();
    try {
      const failure = await api.invoke('library.status', {}).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApiError);
      expect((failure as ApiError).code).toBe('no_project');
      const invalid = await api.invoke('project.open', { dir: '' }).catch((e: unknown) => e);
      expect((invalid as ApiError).code).toBe('invalid_input');
      expect((invalid as ApiError).message).toContain('dir');
    } finally {
      api.close();
    }
  });

  it('delivers events to listeners until they unsubscribe', async () => {
    const api = client();
    try {
      await api.invoke('project.state', {});
      const heard: string[] = [];
      const off = api.on('library.changed', ({ reason }) => heard.push(reason));
      engine.events.emit('library.changed', { reason: 'one' });
      await expect.poll(() => heard).toEqual(['one']);
      off();
      engine.events.emit('library.changed', { reason: 'two' });
      await api.invoke('project.state', {});
      expect(heard).toEqual(['one']);
    } finally {
      api.close();
    }
  });

  it('builds image URLs by id only', () => {
    const api = client();
    expect(api.imageUrl(42, 'thumb')).toBe('/images/42/thumb');
    expect(api.imageUrl(42, 'full')).toBe('/images/42/full');
    api.close();
  });

  it('reconnects by itself and sends calls made while disconnected once it is back', async () => {
    const api = client();
    try {
      await api.invoke('project.state', {});
      const states: string[] = [];
      api.onConnectionChange((s) => states.push(s));
      const port = server.port;
      await server.close();
      await expect.poll(() => states).toContain('closed');
      const queued = api.invoke('project.state', {});
      server = await startServer(engine, { rendererDir: join(dir, 'renderer'), port, token: server.token });
      expect((await queued).version).toBe('0.0.0-test');
      expect(api.state).toBe('open');
    } finally {
      api.close();
    }
  });
});
