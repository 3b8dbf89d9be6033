/**
 * A real `lds serve` in a child process (bin/lds.js → the built out/main/cli.js), for tests that
 * must see the process survive, or stop, as a user would. `npm test` builds first; by hand run
 * `npx electron-vite build`. Under CI a missing build fails instead of skipping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');
const BIN = join(REPO, 'bin', 'lds.js');

export function liveServeAvailable(): boolean {
  if (process.env.CI) return true;
  return existsSync(join(REPO, 'out', 'main', 'cli.js')) && existsSync(join(REPO, 'out', 'renderer', 'index.html'));
}

export interface LiveServe {
  child: ChildProcess;
  port: number;
  token: string;
  /** Everything the process wrote so far. */
  output(): string;
  alive(): boolean;
  /** Resident memory of the server process in bytes (Linux /proc). */
  rssBytes(): number;
  /** Resolves with the exit code (or signal name) once the process has gone. */
  exited: Promise<number | string>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

/** Starts `lds [--workspace DIR] serve --port 0` and waits for the URL it prints. */
export async function startLiveServe(options: { userData: string; workspace?: string; cwd: string }): Promise<LiveServe> {
  const args = [BIN, ...(options.workspace ? ['--workspace', options.workspace] : []), 'serve', '--port', '0'];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, LDS_USER_DATA: options.userData },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  const url = await new Promise<URL>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`lds serve printed no URL within 60 s:\n${output}`)), 60_000);
    const look = (): void => {
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', look);
        done(new URL(match[1] as string));
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`lds serve exited (${code}) before serving:\n${output}`));
    });
  });
  return {
    child,
    port: Number(url.port),
    token: url.searchParams.get('token') ?? '',
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    },
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** An authorised GET through node's own client: status and body. */
export function authorisedGet(serve: LiveServe, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port: serve.port, path, headers: { host: `127.0.0.1:${serve.port}`, cookie: `lds_token=${serve.token}` } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', fail);
    req.end();
  });
}
