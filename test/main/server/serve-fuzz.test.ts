/**
 * Malformed input against a live `lds serve` on 127.0.0.1: request lines, targets, Host, Origin,
 * Cookie, upgrade headers and random bytes over raw sockets, bounded in count and in time.
 * Nothing may kill the server, nothing may answer 5xx, and memory stays bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsServerMessage } from '@shared/contract';
import { authorisedGet, liveServeAvailable, startLiveServe, type LiveServe } from './live-serve';

const REQUESTS = 3000;
const PARALLEL = 16;
/** The whole fuzz stops sending after this long, however far it got. */
const FUZZ_BUDGET_MS = 90_000;
const SOCKET_WAIT_MS = 3_000;

let dir: string;
let serve: LiveServe;

beforeAll(async () => {
  if (!liveServeAvailable()) return;
  dir = mkdtempSync(join(tmpdir(), 'lds-fuzz-'));
  serve = await startLiveServe({ userData: join(dir, 'user'), cwd: dir });
});

afterAll(async () => {
  serve?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes, half-closes, and resolves with what came back (or 'timeout'/'reset'). */
function raw(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((done) => {
    let answer = '';
    let settled = false;
    const socket = connect(port, '127.0.0.1');
    const finish = (value: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done(value);
    };
    const timer = setTimeout(() => finish(answer || 'timeout'), SOCKET_WAIT_MS);
    socket.on('data', (c: Buffer) => {
      if (answer.length < 4096) answer += c.toString('latin1');
    });
    socket.on('end', () => finish(answer));
    socket.on('close', () => finish(answer));
    socket.on('error', () => finish(answer || 'reset'));
    socket.write(bytes, () => socket.end());
  });
}

/** Deterministic, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fuzzCase(random: () => number, port: number, token: string): Buffer | string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  // Mostly well-formed where it matters, so the fuzz reaches the code behind the parser too.
  const usually = <T>(list: readonly T[]): T => (random() < 0.7 ? (list[0] as T) : pick(list));
  if (random() < 0.12) {
    const bytes = Buffer.alloc(1 + Math.floor(random() * 2048));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return random() < 0.5 ? bytes : Buffer.concat([Buffer.from('GET /ws HTTP/1.1\r\n'), bytes]);
  }
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'get', 'G\u00e9T', '', 'X'.repeat(40)];
  const targets = [
    '/ws',
    '/',
    '/ws',
    '/ws',
    '/ws?token=' + token,
    '/ws?token=%E0%A4%A',
    '/?token=%',
    '/?token=' + token,
    '//evil.example/',
    '//evil.example/?token=' + token,
    'http://x:99999/ws',
    'http://127.0.0.1:' + port + '/ws',
    'https://[::1',
    '*',
    '',
    '/%',
    '/%E0%A4%A',
    '/%00',
    '/../../etc/passwd',
    '/images/1/thumb',
    '/images/99999999999999999999/full',
    '/images/-1/thumb',
    '/assets/%2e%2e%2f%2e%2e%2fsecret',
    '/\u0000',
    '/\u00ff\u00fe',
    '/' + 'a'.repeat(9000),
    'ws://x/ws',
    '/ws#frag',
    '/ws?' + '&'.repeat(3000),
    'http://[::1]:99999/ws',
  ];
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'http/1.1', '', 'HTTP/1.1 extra'];
  const hosts = [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    'evil.example',
    '',
    `127.0.0.1:${port}, evil`,
    'x'.repeat(5000),
    '[::1',
    `127.0.0.1:${port}\u0000`,
  ];
  const origins = [`http://127.0.0.1:${port}`, 'http://evil.example', 'null', '', '%', `http://localhost:${port}`, 'file://'];
  const cookies = [
    'lds_token=%E0%A4%A',
    `lds_token=${token}`,
    `lds_token_${port}=%`,
    'lds_token=',
    '=;;;=',
    `lds_token=%${token}`,
    'a=b; lds_token=%zz; c',
    `lds_token=${encodeURIComponent('%E0%A4%A')}`,
    ';'.repeat(2000),
    `lds_token=${token}%`,
    'lds_token=\u00ff',
  ];
  const lines = [`${usually(methods)} ${pick(targets)} ${usually(versions)}`];
  if (random() < 0.85) lines.push(`Host: ${usually(hosts)}`);
  if (random() < 0.15) lines.push(`Host: ${pick(hosts)}`);
  if (random() < 0.5) lines.push(`Origin: ${pick(origins)}`);
  if (random() < 0.6) lines.push(`Cookie: ${random() < 0.3 ? `lds_token=${token}` : pick(cookies)}`);
  if (random() < 0.6) {
    lines.push(`Upgrade: ${usually(['websocket', 'WebSocket', 'h2c', '', 'websocket, x'])}`);
    lines.push(`Connection: ${usually(['Upgrade', 'upgrade, keep-alive', 'close', ''])}`);
    if (random() < 0.7) lines.push(`Sec-WebSocket-Key: ${usually(['dGhlIHNhbXBsZSBub25jZQ==', '', 'not base64', 'x'.repeat(100)])}`);
    if (random() < 0.7) lines.push(`Sec-WebSocket-Version: ${usually(['13', '8', '99', '', '-1'])}`);
    if (random() < 0.2)
      lines.push(
        `Sec-WebSocket-Extensions: ${pick(['permessage-deflate; client_max_window_bits', 'permessage-deflate; server_max_window_bits=99', ';;;'])}`,
      );
  }
  if (random() < 0.1) lines.push(`Content-Length: ${pick(['5', '-1', 'abc', '99999999999', '1, 2'])}`);
  if (random() < 0.1) lines.push(`Transfer-Encoding: ${pick(['chunked', 'gzip, chunked', 'x'])}`);
  if (random() < 0.1) lines.push(`X-Broken ${pick(['no colon', ': empty name', 'a\u0000b'])}`);
  const separator = random() < 0.9 ? '\r\n' : pick(['\n', '\r', '\r\r\n']);
  const body = random() < 0.1 ? 'hello' : '';
  return Buffer.from(`${lines.join(separator)}${separator}${separator}${body}`, random() < 0.9 ? 'latin1' : 'utf8');
}

function invokeOverSocket(serve: LiveServe): Promise<WsServerMessage> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`, { headers: { cookie: `lds_token=${serve.token}` } });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'invoke', id: 1, command: 'project.state', input: {} })));
    ws.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if (message.type !== 'result') return;
      ws.close();
      done(message);
    });
    ws.once('unexpected-response', (_req, res) => fail(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

describe.skipIf(!liveServeAvailable())('lds serve under malformed input', () => {
  it('the two requests that killed it get 400 / 403 and it keeps serving', async () => {
    const upgrade = (target: string, extra = ''): string =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
    expect(await raw(serve.port, upgrade('http://x:99999/ws'))).toMatch(/^HTTP\/1\.1 400 /);
    expect(serve.alive()).toBe(true);
    expect(await raw(serve.port, upgrade('/ws', 'Cookie: lds_token=%E0%A4%A\r\n'))).toMatch(/^HTTP\/1\.1 403 /);
    expect(serve.alive()).toBe(true);
    // The same input over plain HTTP: 400 and 403, not "internal error".
    expect(await raw(serve.port, `GET http://x:99999/ HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(serve.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nCookie: lds_token=%E0%A4%A\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 403 /,
    );
    expect((await authorisedGet(serve, '/')).status).toBe(200);
  });

  it(
    `${REQUESTS} malformed requests: no crash, no 5xx, bounded memory, still answers an authorised request`,
    { timeout: FUZZ_BUDGET_MS + 60_000 },
    async () => {
      const random = prng(0x1d5);
      const cases = Array.from({ length: REQUESTS }, () => fuzzCase(random, serve.port, serve.token));
      // Warm up the paths once so the baseline includes the code the fuzz runs, not its first-use cost.
      for (const c of cases.slice(0, 50)) await raw(serve.port, c);
      const rssBefore = serve.rssBytes();
      const deadline = Date.now() + FUZZ_BUDGET_MS;
      const answers: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cases.length && Date.now() < deadline && serve.alive()) {
          const index = next++;
          answers[index] = await raw(serve.port, cases[index] as Buffer | string);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      const rssAfter = serve.rssBytes();

      expect(serve.alive(), serve.output()).toBe(true);
      const sent = answers.filter((a) => a !== undefined).length;
      expect(sent).toBeGreaterThan(REQUESTS / 4);
      const serverErrors = answers.map((a, i) => ({ a, i })).filter(({ a }) => /^HTTP\/1\.[01] 5\d\d/.test(a ?? ''));
      expect(serverErrors.map(({ a, i }) => `#${i} ${JSON.stringify(String(cases[i]).slice(0, 200))} → ${a.split('\r\n')[0]}`)).toEqual([]);
      // Generous: the point is "bounded", not a figure (a leak per request would be hundreds of MB here).
      expect(rssAfter - rssBefore, `RSS ${(rssBefore / 1e6).toFixed(0)} → ${(rssAfter / 1e6).toFixed(0)} MB`).toBeLessThan(150e6);
      const statuses = new Map<string, number>();
      for (const a of answers) {
        const key = /^HTTP\/1\.[01] (\d{3})/.exec(a ?? '')?.[1] ?? (a === '' ? 'closed' : (a ?? 'unsent').slice(0, 12));
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      console.log(
        `fuzz: ${sent} requests, RSS ${(rssBefore / 1e6).toFixed(0)} → ${(rssAfter / 1e6).toFixed(0)} MB, answers ${JSON.stringify(Object.fromEntries(statuses))}`,
      );

      expect((await authorisedGet(serve, '/')).status).toBe(200);
      const state = await invokeOverSocket(serve);
      expect(state).toMatchObject({ type: 'result', id: 1, result: { ok: true } });
    },
  );
});
