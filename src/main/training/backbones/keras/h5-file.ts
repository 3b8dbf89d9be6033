import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as H5wasmModule from 'h5wasm/node';

type H5wasm = typeof H5wasmModule;
type H5Group = InstanceType<H5wasm['Group']>;
type H5Dataset = InstanceType<H5wasm['Dataset']>;

export class KerasH5Error extends Error {}

export interface H5Weight {
  /** As written in weight_names, e.g. "conv1/kernel:0". */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface H5Layer {
  /** The group name (the Keras layer name, or a nested model's name). */
  name: string;
  weights: H5Weight[];
}

export interface KerasWeightsFile {
  file: string;
  layout: 'weights-only' | 'full-model';
  kerasVersion: string | null;
  backend: string | null;
  /** In file order (layer_names), including layers without weights. */
  layers: H5Layer[];
  /** Parsed model_config of a full-model file. */
  modelConfig: unknown;
}

let h5wasmPromise: Promise<H5wasm> | null = null;

/**
 * Loads h5wasm's Node build once. It is ESM-only, so it is reached through a dynamic import that
 * survives the CommonJS main-process bundle (deps stay external). Emscripten's environment check
 * takes Electron for a browser when `navigator` exists, so it is hidden while the module starts.
 * The throwing error handler turns HDF5's stderr diagnostics into exceptions we can word.
 */
export function loadH5wasm(): Promise<H5wasm> {
  h5wasmPromise ??= (async () => {
    const navigatorDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (navigatorDescriptor?.configurable) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const h5 = (await import('h5wasm/node')) as H5wasm;
      const module = await h5.ready;
      module.activate_throwing_error_handler();
      return h5;
    } finally {
      if (navigatorDescriptor?.configurable) Object.defineProperty(globalThis, 'navigator', navigatorDescriptor);
    }
  })();
  return h5wasmPromise;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Checks the HDF5 superblock before handing the file to the library: a missing signature means
 * "not HDF5", and an end-of-file address past the real size means the file was cut short (an
 * interrupted download), which HDF5 itself only reports as "unable to open file".
 */
export function checkHdf5Header(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new KerasH5Error(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const fd = openSync(file, 'r');
  try {
    for (let at = 0; at === 0 || at + 48 <= size; at = at === 0 ? 512 : at * 2) {
      const head = Buffer.alloc(48);
      const got = readSync(fd, head, 0, 48, at);
      if (got < 8) break;
      if (!head.subarray(0, 8).equals(HDF5_SIGNATURE)) continue;
      const endOfFile = superblockEndOfFile(head);
      if (endOfFile !== null && endOfFile > size) {
        throw new KerasH5Error(
          `${file}: truncated HDF5 file: it holds ${size} bytes but its header says ${endOfFile} (an interrupted download? fetch it again)`,
        );
      }
      return;
    }
  } finally {
    closeSync(fd);
  }
  throw new KerasH5Error(`${file}: not an HDF5 file (no HDF5 signature): expected a Keras .h5 weights file`);
}

/** End-of-file address (base + eof) from a superblock at the start of `head`, or null if unknown. */
function superblockEndOfFile(head: Buffer): number | null {
  const version = head[8] as number;
  let offsetSize: number;
  let baseAt: number;
  if (version === 0 || version === 1) {
    offsetSize = head[13] as number;
    baseAt = version === 0 ? 24 : 28;
    if (offsetSize !== 8 || baseAt + 3 * offsetSize > head.length) return null;
    const base = Number(head.readBigUInt64LE(baseAt));
    return base + Number(head.readBigUInt64LE(baseAt + 2 * offsetSize));
  }
  if (version === 2 || version === 3) {
    offsetSize = head[9] as number;
    if (offsetSize !== 8) return null;
    const base = Number(head.readBigUInt64LE(12));
    return base + Number(head.readBigUInt64LE(12 + 2 * offsetSize));
  }
  return null;
}

function attrString(group: H5Group, name: string): string | null {
  const attr = group.attrs[name];
  if (!attr) return null;
  const value = attr.value;
  return typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
}

function attrStrings(group: H5Group, name: string): string[] | null {
  const attr = group.attrs[name];
  if (!attr) return null;
  const value = attr.value;
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === 'string') return [value];
  return null;
}

/**
 * Reads a Keras 2 HDF5 file: weights-only (layer_names at the root) or a full model saved with
 * model.save (the same tree under /model_weights, plus model_config). All weights become float32.
 */
export async function readKerasWeightsFile(path: string): Promise<KerasWeightsFile> {
  const file = resolve(path);
  checkHdf5Header(file);
  const h5 = await loadH5wasm();
  let f: InstanceType<H5wasm['File']>;
  try {
    f = new h5.File(file, 'r');
  } catch (error) {
    throw new KerasH5Error(`${file}: HDF5 could not open it (${hdf5Reason(error)})`);
  }
  try {
    let root: H5Group = f;
    let layout: KerasWeightsFile['layout'] = 'weights-only';
    const keys = f.keys();
    if (!f.attrs['layer_names'] && keys.includes('model_weights')) {
      root = f.get('model_weights') as H5Group;
      layout = 'full-model';
    }
    const layerNames = attrStrings(root, 'layer_names');
    if (!layerNames) {
      const hint =
        keys.includes('layers') || keys.includes('_layer_checkpoint_dependencies')
          ? ' (this looks like a Keras 3 .weights.h5 file; save with tf.keras / Keras 2 instead)'
          : '';
      throw new KerasH5Error(`${file}: not a Keras weights file: no layer_names attribute${hint}`);
    }
    const modelConfigText = attrString(f, 'model_config');
    let modelConfig: unknown = null;
    if (modelConfigText) {
      try {
        modelConfig = JSON.parse(modelConfigText);
      } catch {
        modelConfig = null;
      }
    }
    const layers = layerNames.map((name) => readLayer(file, root, name));
    return {
      file,
      layout,
      kerasVersion: attrString(root, 'keras_version'),
      backend: attrString(root, 'backend'),
      layers,
      modelConfig,
    };
  } catch (error) {
    if (error instanceof KerasH5Error) throw error;
    throw new KerasH5Error(`${file}: cannot read the Keras weights (${hdf5Reason(error)}); the file may be damaged or truncated`);
  } finally {
    try {
      f.close();
    } catch {
      // Closing a file whose read failed can itself fail; the first error is the useful one.
    }
  }
}

function readLayer(file: string, root: H5Group, name: string): H5Layer {
  const group = root.get(name);
  if (!group || !('keys' in group)) throw new KerasH5Error(`${file}: layer_names lists ${name} but the file has no group for it`);
  const weightNames = attrStrings(group as H5Group, 'weight_names') ?? [];
  const weights = weightNames.map((weightName) => {
    const dataset = (group as H5Group).get(weightName) as H5Dataset | null;
    if (!dataset || !('shape' in dataset)) throw new KerasH5Error(`${file}: layer ${name} lists weight ${weightName} but it is missing`);
    const shape = (dataset.shape ?? []).map(Number);
    const raw = dataset.value;
    let values: Float32Array;
    if (raw instanceof Float32Array) values = raw;
    else if (raw instanceof Float64Array) values = Float32Array.from(raw);
    else throw new KerasH5Error(`${file}: weight ${name}/${weightName} is ${dataset.dtype}, expected floating point`);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected)
      throw new KerasH5Error(`${file}: weight ${name}/${weightName} holds ${values.length} values for shape [${shape}]`);
    return { name: weightName, shape, values };
  });
  return { name, weights };
}

function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const minors = [...text.matchAll(/minor: (.+)/g)].map((m) => (m[1] ?? '').trim());
  const last = minors.at(-1);
  return last ? last.toLowerCase() : (text.split('\n')[0] ?? text);
}
