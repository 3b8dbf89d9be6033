import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** File name of the worker bundle electron-vite emits next to the main bundles (see electron.vite.config.ts). */
export const POOL_WORKER_BUNDLE = 'wasm-pool-worker.js';

function hereDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Starts a pool worker: the built bundle when running from out/ (or a packaged app), the
 * TypeScript source through jiti when running from src/ (tests, benchmarks, `npm start` dev).
 */
export function startPoolWorker(): Worker {
  const here = hereDir();
  // Rollup may put this module in a shared chunk (out/main/chunks/) one level below the entries.
  const built = [join(here, POOL_WORKER_BUNDLE), join(here, '..', POOL_WORKER_BUNDLE)].find((p) => existsSync(p));
  if (built) return new Worker(built);
  const source = join(here, 'pool-worker.ts');
  if (!existsSync(source)) throw new Error(`wasm pool worker not found: no ${POOL_WORKER_BUNDLE} near ${here} and no ${source}`);
  const jiti = createRequire(join(here, 'noop.js')).resolve('jiti');
  const shared = join(here, '..', '..', '..', '..', 'shared');
  const bootstrap = `
    const { createJiti } = require(${JSON.stringify(jiti)});
    const jiti = createJiti(${JSON.stringify(source)}, { alias: { '@shared': ${JSON.stringify(shared)} } });
    jiti.import(${JSON.stringify(source)}).catch((e) => { console.error(e); process.exit(1); });
  `;
  return new Worker(bootstrap, { eval: true });
}
