import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { BenchContext } from '../lib/context';

/** Browsers open six connections per host over HTTP/1.1; the grid's requests queue behind them. */
const BROWSER_CONNECTIONS = 6;
/** Screens a fast scroll to the end passes on its way (each asked for, then abandoned). */
const FLING_SCREENS = 8;
/** How long each passed screen stays on screen during the fling. */
const FLING_SCREEN_MS = 30;

export function defineThumbnailFigures(ctx: BenchContext): void {
  const { book } = ctx;
  const n = ctx.settings.thumbFirstScreen;
  const how = `GET /images/<id>/thumb from \`lds serve\`, ${BROWSER_CONNECTIONS} requests in flight like a browser`;
  book.define('thumbnails', 'thumbs.firstScreen.seconds', {
    label: `First screen: ${n} thumbnails, cold cache`,
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 1 },
    detail: how,
  });
  book.define('thumbnails', 'thumbs.afterScroll.seconds', {
    label: `Visible tiles after a fast scroll to the end (${n}, cold)`,
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 1 },
    detail: `a fling past ${FLING_SCREENS} screens as the grid's loader does it (each screen's requests started, then aborted when it scrolls away), then the last screen; ${how}`,
  });
  book.define('thumbnails', 'thumbs.all.seconds', { label: 'All thumbnails, cold cache', unit: 's', better: 'lower', detail: how });
  book.define('thumbnails', 'thumbs.all.rate', {
    label: 'Thumbnail generation rate',
    unit: 'img/s',
    better: 'higher',
    detail: 'all thumbnails / their time',
  });
  book.define('thumbnails', 'thumbs.firstScreenWarm.seconds', {
    label: `First screen again (${n}, cached)`,
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 1 },
    detail: how,
  });
}

interface Served {
  child: ChildProcess;
  port: number;
  cookie: string;
}

function startServe(ctx: BenchContext, workspace: string): Promise<Served> {
  const child = spawn(process.execPath, [ctx.cliPath, '--workspace', workspace, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => fail(new Error(`lds serve printed no URL within 30 s${err ? `: ${err.trim().split('\n').pop()}` : ''}`)),
      30_000,
    );
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(e);
    };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => fail(new Error(`lds serve exited (${code})${err ? `: ${err.trim().split('\n').pop()}` : ''}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /http:\/\/127\.0\.0\.1:(\d+)(\/\S*token=[A-Za-z0-9_-]+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = Number(match[1]);
      // Log in as a browser does: open the printed URL and keep the cookie the server sets.
      login(port, match[2]!).then(
        (cookie) => resolve({ child, port, cookie }),
        (error: Error) => fail(new Error(`logging in to lds serve failed: ${error.message}`)),
      );
    });
  });
}

function login(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
      if (cookie) resolve(cookie);
      else reject(new Error(`HTTP ${res.statusCode ?? '?'} without a cookie`));
    });
    req.on('error', reject);
    req.end();
  });
}

function get(served: Served, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: served.port, path, headers: { Cookie: served.cookie, Host: `127.0.0.1:${served.port}` } },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The grid's loader during a fling: a screen's first requests go out, the screen scrolls away after
 * FLING_SCREEN_MS, and its requests are aborted (the browser closes those connections).
 */
async function flingPast(served: Served, screens: number[][]): Promise<void> {
  for (const ids of screens) {
    const requests = ids.slice(0, BROWSER_CONNECTIONS).map((id) =>
      request({
        host: '127.0.0.1',
        port: served.port,
        path: `/images/${id}/thumb`,
        headers: { Cookie: served.cookie, Host: `127.0.0.1:${served.port}` },
      }),
    );
    for (const req of requests) {
      req.on('error', () => {});
      req.end();
    }
    await new Promise((resolve) => setTimeout(resolve, FLING_SCREEN_MS));
    for (const req of requests) req.destroy();
  }
}

/** Fetches thumbnails for ids with a browser's connection limit; returns seconds and failures. */
async function fetchThumbs(served: Served, ids: number[]): Promise<{ seconds: number; ok: number; failed: string[] }> {
  const started = performance.now();
  let next = 0;
  let ok = 0;
  const failed: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const res = await get(served, `/images/${id}/thumb`);
      if (res.status === 200 && res.bytes > 0) ok++;
      else failed.push(`${id}: HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: BROWSER_CONNECTIONS }, worker));
  return { seconds: (performance.now() - started) / 1000, ok, failed };
}

export async function runThumbnails(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  if (!ctx.lds) return book.failUnmeasured('thumbnails', 'no imported workspace (the import stage failed or was skipped)');
  const total = ctx.book.value('import.images') ?? 0;
  let served: Served;
  try {
    served = await startServe(ctx, ctx.lds.workspace);
  } catch (error) {
    return book.failUnmeasured('thumbnails', (error as Error).message);
  }
  try {
    ctx.log(`thumbnails: first screen of ${ctx.settings.thumbFirstScreen}, then all ${total}`);
    // Ids are assigned in import order from 1; the grid's first screen is the first ids.
    const firstIds = Array.from({ length: Math.min(ctx.settings.thumbFirstScreen, total) }, (_, i) => i + 1);
    const first = await fetchThumbs(served, firstIds);
    if (first.ok === 0) return book.failUnmeasured('thumbnails', `no thumbnail came back (${first.failed.slice(0, 3).join('; ')})`);
    book.set('thumbs.firstScreen.seconds', first.seconds, first.failed.length ? `${first.failed.length} failed` : undefined);
    // Issue 16 item 11's target: visible tiles within 1 s of any scroll. Cold, before "all" warms the cache.
    if (total >= firstIds.length * (FLING_SCREENS + 2)) {
      const screen = firstIds.length;
      const step = Math.floor((total - 2 * screen) / FLING_SCREENS);
      const passed = Array.from({ length: FLING_SCREENS }, (_, k) => Array.from({ length: screen }, (_, i) => screen + k * step + i + 1));
      const lastIds = Array.from({ length: screen }, (_, i) => total - screen + i + 1);
      await flingPast(served, passed);
      const landed = await fetchThumbs(served, lastIds);
      book.set('thumbs.afterScroll.seconds', landed.seconds, landed.failed.length ? `${landed.failed.length} failed` : undefined);
    } else {
      book.fail('thumbs.afterScroll.seconds', `needs at least ${firstIds.length * (FLING_SCREENS + 2)} images`);
    }
    const rest = Array.from({ length: Math.max(0, total - firstIds.length) }, (_, i) => i + 1 + firstIds.length);
    const all = await fetchThumbs(served, rest);
    const allSeconds = first.seconds + all.seconds;
    book.set('thumbs.all.seconds', allSeconds);
    book.set('thumbs.all.rate', (first.ok + all.ok) / allSeconds);
    if (all.failed.length)
      ctx.notes.push(`Thumbnails: ${all.failed.length} of ${rest.length} requests failed (${all.failed.slice(0, 3).join('; ')}).`);
    const warm = await fetchThumbs(served, firstIds);
    book.set('thumbs.firstScreenWarm.seconds', warm.seconds);
  } finally {
    served.child.kill('SIGTERM');
  }
}
