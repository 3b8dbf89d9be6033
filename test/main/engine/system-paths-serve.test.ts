/**
 * Item: creating a project under /proc hung the whole server (Node's recursive mkdir spins for
 * ever there) and SIGTERM no longer stopped it. Run against a live `lds serve` in a child process,
 * so the old behaviour fails this test instead of hanging the test runner.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { InvokeResult, WsServerMessage } from '@shared/contract';
import { liveServeAvailable, startLiveServe, type LiveServe } from '../server/live-serve';

let dir: string;
let serve: LiveServe;
let socket: WebSocket;
let nextId = 1;

beforeAll(async () => {
  if (!liveServeAvailable() || process.platform !== 'linux') return;
  dir = mkdtempSync(join(tmpdir(), 'lds-system-paths-'));
  serve = await startLiveServe({ userData: join(dir, 'user'), cwd: dir });
  socket = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`, { headers: { cookie: `lds_token=${serve.token}` } });
  await new Promise((done, fail) => {
    socket.once('open', done);
    socket.once('error', fail);
  });
});

afterAll(() => {
  socket?.terminate();
  serve?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One command over the socket; rejects when no answer comes within 20 s (the engine hangs). */
function invoke(command: string, input: unknown): Promise<InvokeResult> {
  const id = nextId++;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no answer to ${command} within 20 s: the server hangs`)), 20_000);
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if (message.type !== 'result' || message.id !== id) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      done(message.result);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'invoke', id, command, input }));
  });
}

describe.skipIf(!liveServeAvailable() || process.platform !== 'linux')('lds serve: projects in system folders', () => {
  it(
    'refuses a project under /proc (directly or through a link) with a clear message, keeps serving, and stops on SIGTERM',
    { timeout: 90_000 },
    async () => {
      const direct = await invoke('project.open', { dir: '/proc/lds-test/ws', create: true });
      expect(direct).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(direct.ok ? '' : direct.error.message).toContain("/proc holds the system's own virtual files");

      const link = join(dir, 'into-proc');
      symlinkSync('/proc', link);
      const linked = await invoke('project.open', { dir: join(link, 'lds', 'ws'), create: true });
      expect(linked).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

      // A catalogue.db that is a FIFO: SQLite would block for ever opening it.
      const fifoWs = join(dir, 'fifo-ws');
      mkdirSync(fifoWs);
      execFileSync('mkfifo', [join(fifoWs, 'catalogue.db')]);
      const fifo = await invoke('project.open', { dir: fifoWs, create: false });
      expect(fifo).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

      const fine = await invoke('project.open', { dir: join(dir, 'ws'), create: true });
      expect(fine).toMatchObject({ ok: true });
      expect(serve.alive()).toBe(true);

      serve.child.kill('SIGTERM');
      const stopped = await Promise.race([
        serve.exited,
        new Promise((done) => setTimeout(() => done('still running 15 s after SIGTERM'), 15_000)),
      ]);
      expect(stopped).toBe(0);
    },
  );
});
