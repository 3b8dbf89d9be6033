import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { abandonedFsCalls } from '../../engine/user-paths';
import { startServer, type RunningServer, type ServerEngine } from '../../server';
import { openBrowser } from './open-browser';

export interface ServeOptions {
  port?: number;
  open?: boolean;
  /** Where the built renderer lives; found next to the built CLI by default. */
  rendererDir?: string;
}

/**
 * The built renderer, found by walking up from this module: out/main/(chunks/)… → out/renderer when
 * built, <repo>/out/renderer from the sources (tests), then the current directory's out/renderer.
 */
export function defaultRendererDir(): string {
  const candidates: string[] = [];
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    candidates.push(join(dir, 'renderer'), join(dir, 'out', 'renderer'));
  }
  candidates.push(resolve(process.cwd(), 'out', 'renderer'));
  return candidates.find((candidate) => existsSync(join(candidate, 'index.html'))) ?? resolve(process.cwd(), 'out', 'renderer');
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got "${value}"`);
  return port;
}

/** Starts browser mode and prints its URL; the server runs until close() or a signal. */
export async function startServe(
  engine: ServerEngine,
  options: ServeOptions,
  print: (line: string) => void = console.log,
): Promise<RunningServer> {
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    throw new Error(
      `the studio's web interface is not built (no ${resolve(rendererDir, 'index.html')}); run \`npx electron-vite build\` first`,
    );
  }
  const server = await startServer(engine, { port: options.port, rendererDir });
  print(`Little Data Studio is running at ${server.url}`);
  print('Press Ctrl+C to stop.');
  if (options.open) openBrowser(server.url);
  return server;
}

/** How long a stop waits for running jobs to wind down before it stops without them. */
const CLOSE_TIMEOUT_MS = 15_000;

/** `lds serve [--port N] [--open]`: serves until SIGINT/SIGTERM, then closes cleanly. */
export async function serveUntilSignal(
  engine: ServerEngine & { close(): Promise<void> },
  options: ServeOptions,
  print: (line: string) => void = console.log,
): Promise<void> {
  const server = await startServe(engine, options, print);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    const stop = (received: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  // Jobs end at their next step when cancelled; one stuck on a drive that stopped answering never does.
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    engine.close().then(() => true),
    new Promise<false>((done) => (timer = setTimeout(() => done(false), CLOSE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
  const stuck = abandonedFsCalls();
  if (!closed || stuck > 0) {
    // A normal exit would wait for that work for ever: end by the signal itself (its default action).
    const what = closed
      ? `${stuck} filesystem call(s) on a drive that stopped answering never returned`
      : `running jobs did not stop within ${CLOSE_TIMEOUT_MS / 1000} s`;
    process.stderr.write(`lds serve: ${what}; stopping anyway\n`);
    process.kill(process.pid, signal);
  }
}
