import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_CHOICES as BACKEND_NAMES } from '@shared/contract/training';
import type { BackendCandidate, BackendName, BackendReport } from '../protocol/worker-protocol';
import { wasmBinaryDirectory } from './wasm-gradients';

export type { BackendCandidate, BackendName, BackendReport } from '../protocol/worker-protocol';

const nodeRequire = createRequire(__filename);

/** Libraries tfjs-node-gpu 4.x is linked against (CUDA 11.2, cuDNN 8.1). */
export const GPU_LIBRARIES = ['libcudart.so.11.0', 'libcudnn.so.8'] as const;

const ALIASES: Record<string, BackendName> = {
  'node-gpu': 'node-gpu',
  gpu: 'node-gpu',
  'tfjs-node-gpu': 'node-gpu',
  cuda: 'node-gpu',
  node: 'node',
  tensorflow: 'node',
  'tfjs-node': 'node',
  native: 'node',
  wasm: 'wasm',
  cpu: 'cpu',
};

export class UnknownBackendError extends Error {}

/** Maps what a user types (--backend, LDS_BACKEND) to a candidate, or fails naming the choices. */
export function parseBackendName(name: string): BackendName {
  const found = ALIASES[name.trim().toLowerCase()];
  if (!found) throw new UnknownBackendError(`unknown backend "${name}": choose one of ${BACKEND_NAMES.join(', ')}`);
  return found;
}

export interface ProbeEnvironment {
  /** Resolves a package's package.json; throws when absent. Tests pass a fake to simulate installs. */
  resolvePackage(name: string): string | null;
  /** Which of these shared libraries the dynamic loader would find. */
  findLibraries(names: readonly string[]): Record<string, string | null>;
  /** Loads a native package; throws its load error. */
  load(name: string): unknown;
  /** Every version of a library the loader knows (e.g. libcudart.so.13 for 'libcudart.so'), for "wrong version" advice. */
  listVersions?(base: string): string[];
}

export const realProbeEnvironment: ProbeEnvironment = {
  resolvePackage(name) {
    try {
      return nodeRequire.resolve(`${name}/package.json`);
    } catch {
      return null;
    }
  },
  findLibraries: findSharedLibraries,
  load: (name) => nodeRequire(name),
  listVersions: (base) => [
    ...new Set(
      ldconfigCache()
        .split('\n')
        .map((l) => l.trim().split(' ')[0] ?? '')
        .filter((n) => n.startsWith(`${base}.`)),
    ),
  ],
};

function ldconfigCache(): string {
  if (process.platform !== 'linux') return '';
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      return execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    } catch {
      // try the next location
    }
  }
  return '';
}

/**
 * Where the dynamic loader would find each library: LD_LIBRARY_PATH, the usual CUDA folders, then
 * the ldconfig cache. A file check rather than dlopen, so probing never loads CUDA into this process.
 */
export function findSharedLibraries(names: readonly string[]): Record<string, string | null> {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/local/cuda/lib64',
    '/usr/local/cuda/targets/x86_64-linux/lib',
  ];
  const ldcache = ldconfigCache();
  const result: Record<string, string | null> = {};
  for (const name of names) {
    const inDir = dirs.map((d) => join(d, name)).find((p) => existsSync(p));
    const line = ldcache.split('\n').find((l) => l.trim().startsWith(`${name} `));
    result[name] = inDir ?? (line ? (line.split('=>')[1]?.trim() ?? name) : null);
  }
  return result;
}

/** The native binding a complete tfjs-node install has (node-pre-gyp puts it under lib/napi-vN/). */
function findBinding(packageJson: string): string | null {
  const lib = join(dirname(packageJson), 'lib');
  if (!existsSync(lib)) return null;
  for (const entry of readdirSync(lib)) {
    const candidate = join(lib, entry, 'tfjs_binding.node');
    if (entry.startsWith('napi-v') && existsSync(candidate)) return candidate;
  }
  return null;
}

const PACKAGES: Record<'node-gpu' | 'node', string> = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' };
const ENABLE: Record<BackendName, string> = {
  'node-gpu': 'npm install @tensorflow/tfjs-node-gpu@4.22.0 (Linux x64, NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 installed)',
  node: 'npm install @tensorflow/tfjs-node@4.22.0 (downloads libtensorflow; needs network access at install time)',
  wasm: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
  cpu: '',
};

/** Checks a native candidate without loading it: package, binding, libraries. */
function precheckNative(name: 'node-gpu' | 'node', env: ProbeEnvironment): BackendCandidate {
  const pkg = PACKAGES[name];
  const base: BackendCandidate = { name, package: pkg, state: 'unavailable', reason: null, enable: ENABLE[name] };
  const packageJson = env.resolvePackage(pkg);
  if (!packageJson) return { ...base, reason: `package ${pkg} is not installed` };
  if (!findBinding(packageJson)) {
    return {
      ...base,
      reason: `package ${pkg} is half-installed: its native binding (lib/napi-v*/tfjs_binding.node) is missing — its install script did not run or its libtensorflow download was interrupted`,
      enable: `npm rebuild ${pkg}`,
    };
  }
  if (name === 'node-gpu') {
    const libs = env.findLibraries(GPU_LIBRARIES);
    const missing = GPU_LIBRARIES.filter((l) => !libs[l]);
    if (missing.length) {
      const others = missing
        .flatMap((l) => env.listVersions?.(l.replace(/\.so\..*$/, '.so')) ?? [])
        .filter((l) => !missing.includes(l as (typeof GPU_LIBRARIES)[number]));
      const found = others.length ? ` (found ${others.join(', ')}: the wrong version)` : '';
      return {
        ...base,
        reason: `${missing.join(' and ')} not found by the dynamic loader${found}: tfjs-node-gpu 4.22 needs CUDA 11.2 (libcudart.so.11.0) and cuDNN 8.1 (libcudnn.so.8)`,
        enable: 'install CUDA 11.2 and cuDNN 8.1 and add their lib folders to LD_LIBRARY_PATH',
      };
    }
  }
  return { ...base, state: 'available' };
}

export interface SelectOptions {
  /** A backend the user forced (--backend / LDS_BACKEND); unknown names fail. */
  force?: string | null;
  env?: ProbeEnvironment;
  wasmDir?: string;
  /** Installs the gradients the wasm backend lacks (from the CPU engine). */
  onWasmReady?: () => void | Promise<void>;
}

/** Per probe environment (the real one, or a test's fake): the one native package this process tried. */
const triedNative = new WeakMap<ProbeEnvironment, string>();

/**
 * Picks and activates the fastest working backend: tfjs-node-gpu, tfjs-node, wasm (SIMD), cpu.
 * At most one native package is ever loaded per process: each registers the same kernels, and a
 * second attempt floods the log with duplicate-registration warnings.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendReport> {
  const env = options.env ?? realProbeEnvironment;
  const forced = options.force ? parseBackendName(options.force) : null;
  const candidates: BackendCandidate[] = [];
  let active: BackendName | null = null;

  for (const name of BACKEND_NAMES) {
    if (forced && name !== forced) {
      candidates.push({
        name,
        package: name === 'node-gpu' || name === 'node' ? PACKAGES[name] : `@tensorflow/tfjs-backend-${name}`,
        state: 'skipped',
        reason: `backend ${forced} was forced`,
        enable: ENABLE[name],
      });
      continue;
    }
    if (active) {
      candidates.push({
        name,
        package: packageOf(name),
        state: 'skipped',
        reason: `a faster backend (${active}) is active`,
        enable: ENABLE[name],
      });
      continue;
    }
    const candidate = await tryCandidate(name, env, options);
    candidates.push(candidate);
    if (candidate.state === 'active') active = name;
  }
  if (!active) {
    const reasons = candidates
      .filter((c) => c.reason && c.state !== 'skipped')
      .map((c) => `${c.name}: ${c.reason}`)
      .join('; ');
    throw new Error(
      forced ? `backend ${forced} was forced but cannot start: ${reasons}` : `no TensorFlow.js backend could start: ${reasons}`,
    );
  }
  // Without an NVIDIA driver (libcuda) the GPU package cannot help: point at tfjs-node instead.
  const hasNvidiaDriver = Boolean(env.findLibraries(['libcuda.so.1'])['libcuda.so.1']);
  const faster = candidates.find(
    (c) =>
      c.state === 'unavailable' &&
      BACKEND_NAMES.indexOf(c.name) < BACKEND_NAMES.indexOf(active) &&
      (c.name !== 'node-gpu' || hasNvidiaDriver),
  );
  return {
    active,
    tfjsBackend: tf.getBackend(),
    tfjsVersion: tf.version.tfjs,
    threads: threadsOf(active),
    simd: active === 'wasm' ? Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) : null,
    forced,
    candidates,
    enableFaster: faster ? faster.enable : null,
  };
}

function packageOf(name: BackendName): string {
  return name === 'node-gpu' || name === 'node' ? PACKAGES[name] : `@tensorflow/tfjs-backend-${name}`;
}

function threadsOf(active: BackendName): number {
  // wasm threads do not work under Node (no SharedArrayBuffer workers): one thread per process.
  if (active === 'wasm' || active === 'cpu') return 1;
  return navigatorCores();
}

function navigatorCores(): number {
  try {
    return nodeRequire('node:os').availableParallelism() as number;
  } catch {
    return 1;
  }
}

async function tryCandidate(name: BackendName, env: ProbeEnvironment, options: SelectOptions): Promise<BackendCandidate> {
  if (name === 'node-gpu' || name === 'node') {
    const pre = precheckNative(name, env);
    if (pre.state !== 'available') return pre;
    const tried = triedNative.get(env);
    if (tried && tried !== PACKAGES[name]) {
      return {
        ...pre,
        state: 'skipped',
        reason: `${tried} was already tried in this process (only one native package may load: each registers the same kernels)`,
      };
    }
    try {
      triedNative.set(env, PACKAGES[name]);
      env.load(PACKAGES[name]);
      const ok = await tf.setBackend('tensorflow');
      if (!ok) return { ...pre, state: 'failed', reason: `${PACKAGES[name]} loaded but the "tensorflow" backend did not initialise` };
      return { ...pre, state: 'active', reason: null };
    } catch (error) {
      return { ...pre, state: 'failed', reason: `${PACKAGES[name]} failed to load: ${firstLine(error)}` };
    }
  }
  if (name === 'wasm') {
    const base: BackendCandidate = { name, package: packageOf(name), state: 'unavailable', reason: null, enable: ENABLE.wasm };
    try {
      setWasmPaths(options.wasmDir ?? wasmBinaryDirectory());
      // Threads need cross-origin isolation in browsers and do not work under Node at all.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      const ok = await tf.setBackend('wasm');
      if (!ok) return { ...base, state: 'failed', reason: 'the wasm backend did not initialise' };
      await tf.ready();
      await options.onWasmReady?.();
      return { ...base, state: 'active' };
    } catch (error) {
      return { ...base, state: 'failed', reason: `wasm failed to start: ${firstLine(error)}` };
    }
  }
  const ok = await tf.setBackend('cpu');
  return {
    name,
    package: '@tensorflow/tfjs-backend-cpu',
    state: ok ? 'active' : 'failed',
    reason: ok ? null : 'the cpu backend did not initialise',
    enable: '',
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
