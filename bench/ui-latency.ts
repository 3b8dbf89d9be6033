/**
 * Two UI latencies of issue 16, measured alone (not part of `npm run bench`), in one process with a
 * real engine and the browser-mode server:
 *
 *   augment  — augment.preview of 4 sample images × 9 variants at 224 after a parameter change
 *              (warm: the samples were decoded before), wall and CPU milliseconds and answer size;
 *   thumbs   — the bench's fling (8 screens passed, each screen's first 6 requests started and
 *              aborted after 30 ms) then the last screen's 60 thumbnails with 6 connections, cold
 *              cache: seconds to the last tile, and how many thumbnails were rendered for nobody.
 *
 * Build and run (from the repository root):
 *   node bench/ui-latency-run.mjs [augment|thumbs|all] [--images 1000]
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { startServer, type RunningServer } from '../src/main/server';

const root = resolve(process.argv[2] ?? '.');
const mode = process.argv[3] ?? 'all';
const data = resolve(root, '../shared/data/cats_and_dogs_filtered/train');
const work = '/tmp/lds-ui-latency';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function openEngine(): Promise<Engine> {
  const engine = new Engine({ userDataDir: join(work, 'user'), resourcesDir: join(root, 'resources'), version: '0.0.0-bench' });
  const workspace = join(work, 'workspace');
  const fresh = !readdirSafe(workspace).length;
  await engine.call('project.open', { dir: workspace, create: true });
  if (fresh) {
    const { jobId } = await engine.call('library.import', { paths: [data] });
    const job = await engine.jobs.wait(jobId);
    if (job.status !== 'succeeded') throw new Error(`import ${job.status}: ${job.error ?? ''}`);
  }
  return engine;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function measureAugment(engine: Engine, variant: 'png' | 'jpeg' | 'draft'): Promise<void> {
  const images = await engine.call('library.list', {});
  const ids = [images[0]!.id, images[1]!.id, images[1000]!.id, images[1001]!.id];
  const params = (rotation: number) => ({
    rotation_range: rotation,
    width_shift_range: 0.2,
    height_shift_range: 0.2,
    shear_range: 11.46,
    zoom_range: 0.2,
    horizontal_flip: true,
    fill_mode: 'nearest' as const,
    cval: 0,
    vertical_flip: false,
    brightness_range: null,
    channel_shift_range: 0,
    rescale: null,
  });
  // The old contract knows no format: 'png' sends none (its default), so the script runs against both.
  const format = variant === 'png' ? {} : { format: 'jpeg' as const };
  const ask = (rotation: number, n = 9) =>
    engine.call('augment.preview', { imageIds: ids, n, seed: 1, size: 224, params: params(rotation), ...format });
  // Each variant of the measurement asks for angles of its own: no answer comes from another's cache.
  const base = { png: 0.5, jpeg: 0.25, draft: 0.75 }[variant];
  await ask(base);
  const wall: number[] = [];
  const cpu: number[] = [];
  const augmentMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 12; i++) {
    // 'draft': the view's drag draws 2 variants per image while moving; the measured full set follows it.
    if (variant === 'draft') await ask(base + 10 + i * 7, 2);
    const started = performance.now();
    const usage = process.cpuUsage();
    const result = await ask(base + 10 + i * 7);
    wall.push(performance.now() - started);
    cpu.push(cpuMs(usage));
    bytes = JSON.stringify(result).length;
    augmentMs.push(result.augmentMs);
  }
  console.log(
    `augment ${variant}: 4 images × 9 variants at 224, median of 12: wall ${median(wall).toFixed(0)} ms, cpu ${median(cpu).toFixed(0)} ms (augmenting ${median(augmentMs).toFixed(0)} ms wall), answer ${(bytes / 1024).toFixed(0)} KiB`,
  );
}

interface Client {
  port: number;
  cookie: string;
}

async function login(server: RunningServer): Promise<Client> {
  const path = new URL(server.url).pathname + new URL(server.url).search;
  return new Promise((resolveLogin, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
      res.resume();
      const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
      if (cookie) resolveLogin({ port: server.port, cookie });
      else reject(new Error(`HTTP ${res.statusCode ?? '?'} without a cookie`));
    });
    req.on('error', reject);
    req.end();
  });
}

function thumbRequest(client: Client, id: number) {
  return request({
    host: '127.0.0.1',
    port: client.port,
    path: `/images/${id}/thumb`,
    headers: { Cookie: client.cookie, Host: `127.0.0.1:${client.port}` },
  });
}

function get(client: Client, id: number): Promise<number> {
  return new Promise((resolveGet, reject) => {
    const req = thumbRequest(client, id);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolveGet(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function fetchAll(client: Client, ids: number[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const status = await get(client, ids[next++]!);
      if (status !== 200) throw new Error(`HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

async function measureThumbs(engine: Engine): Promise<void> {
  const thumbsDir = engine.projects.require().thumbsDir;
  const server = await startServer(engine, { rendererDir: join(root, 'out', 'renderer') });
  try {
    const client = await login(server);
    const images = await engine.call('library.list', {});
    const ids = images.map((i) => i.id);
    const screen = 60;
    const screens = 8;
    const results: string[] = [];
    for (let round = 0; round < 3; round++) {
      rmSync(thumbsDir, { recursive: true, force: true });
      mkdirSync(thumbsDir, { recursive: true });
      // Each round lands somewhere else so the OS file cache is comparable between rounds.
      const offset = round * 600;
      const step = Math.floor((ids.length - offset - 2 * screen) / screens / 2);
      const usage = process.cpuUsage();
      for (let k = 0; k < screens; k++) {
        const from = offset + screen + k * step;
        const reqs = ids.slice(from, from + 6).map((id) => thumbRequest(client, id));
        for (const req of reqs) {
          req.on('error', () => {});
          req.end();
        }
        await new Promise((r) => setTimeout(r, 30));
        for (const req of reqs) req.destroy();
      }
      const last = ids.slice(offset + screen + screens * step + screen, offset + screen + screens * step + 2 * screen);
      const started = performance.now();
      await fetchAll(client, last);
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuMs(usage);
      // Renders of abandoned requests still running finish into the cache: let them, then count.
      await new Promise((r) => setTimeout(r, 1500));
      const made = readdirSafe(thumbsDir).filter((f) => !f.endsWith('.tmp')).length;
      results.push(`${seconds.toFixed(2)} s (cpu ${(cpu / 1000).toFixed(2)} s, ${made - last.length} rendered for nobody)`);
    }
    console.log(`thumbs afterScroll, 60 visible, cold, 3 rounds: ${results.join('; ')}`);
  } finally {
    await server.close();
  }
}

const engine = await openEngine();
try {
  if (mode === 'augment' || mode === 'all') {
    await measureAugment(engine, 'png');
    if (process.env.OLD !== '1') {
      await measureAugment(engine, 'jpeg');
      await measureAugment(engine, 'draft');
    }
  }
  if (mode === 'thumbs' || mode === 'all') await measureThumbs(engine);
} finally {
  await engine.close();
}
