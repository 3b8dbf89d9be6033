import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmGradients } from './install';

function moduleResolver(): NodeJS.Require {
  // The bundled main process is CommonJS (require exists); vitest and plain ESM runs are not.
  return typeof require === 'function' ? require : createRequire(import.meta.url);
}

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator (setWasmPaths wants
 * a prefix). Resolved through the package itself so it works from source, from the electron-vite
 * build (where the package stays external) and from a packaged app, where binaries must be read
 * from app.asar.unpacked when electron-builder put them there.
 */
export function wasmBinaryDirectory(): string {
  const entry = moduleResolver().resolve('@tensorflow/tfjs-backend-wasm');
  let dir = dirname(entry);
  if (!existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))) dir = join(dir, '..', 'dist');
  const unpacked = dir.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
  if (unpacked !== dir && existsSync(join(unpacked, 'tfjs-backend-wasm-simd.wasm'))) dir = unpacked;
  if (!existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))) {
    throw new Error(`tfjs-backend-wasm binaries not found in ${dir}: reinstall @tensorflow/tfjs-backend-wasm`);
  }
  return dir.endsWith(sep) ? dir : dir + sep;
}

let pathsSet = false;

/** Makes wasm the active tfjs backend, with the training gradients it lacks installed. */
export async function useWasmBackend(): Promise<void> {
  if (!pathsSet) {
    setWasmPaths(wasmBinaryDirectory());
    pathsSet = true;
  }
  installWasmGradients();
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
  await tf.ready();
}
