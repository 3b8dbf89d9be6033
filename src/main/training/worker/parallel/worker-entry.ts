import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../threads/start-worker';

/** File name of the worker bundle electron-vite emits next to the main bundles (see electron.vite.config.ts). */
export const POOL_WORKER_BUNDLE = 'wasm-pool-worker.js';

/** Starts a pool worker (one wasm backend each). */
export function startPoolWorker(): Worker {
  return startWorkerThread({ bundle: POOL_WORKER_BUNDLE, source: 'worker/parallel/pool-worker.ts' });
}
