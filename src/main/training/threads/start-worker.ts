import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

function hereDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

export interface WorkerEntry {
  /** File name of the bundle electron-vite emits next to the main bundles (electron.vite.config.ts). */
  bundle: string;
  /** The entry's TypeScript source, relative to src/main/training/. */
  source: string;
}

/**
 * Starts a worker thread: the built bundle when running from out/ (or a packaged app), the
 * TypeScript source through jiti when running from src/ (tests, benchmarks, `npm start` dev).
 */
export function startWorkerThread(entry: WorkerEntry): Worker {
  const here = hereDir();
  // Rollup may put this module in a shared chunk (out/main/chunks/) one level below the entries.
  const built = [join(here, entry.bundle), join(here, '..', entry.bundle)].find((p) => existsSync(p));
  if (built) {
    // Node's worker loader cannot read inside app.asar: electron-builder unpacks worker bundles
    // (electron-builder.yml asarUnpack) and they load from there.
    const unpacked = built.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
    return new Worker(unpacked !== built && existsSync(unpacked) ? unpacked : built);
  }
  // From source this file is src/main/training/threads/start-worker.ts.
  const source = join(here, '..', entry.source);
  if (!existsSync(source)) throw new Error(`worker not found: no ${entry.bundle} near ${here} and no ${source}`);
  const jiti = createRequire(join(here, 'noop.js')).resolve('jiti');
  const shared = join(here, '..', '..', '..', 'shared');
  const bootstrap = `
    const { createJiti } = require(${JSON.stringify(jiti)});
    const jiti = createJiti(${JSON.stringify(source)}, { alias: { '@shared': ${JSON.stringify(shared)} } });
    jiti.import(${JSON.stringify(source)}).catch((e) => { console.error(e); process.exit(1); });
  `;
  return new Worker(bootstrap, { eval: true });
}
