import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../../src/main/engine/engine';
import { parseBackendName, selectBackend, type ProbeEnvironment } from '../../../../src/main/training/worker/backends';
import { RESOURCES, tempDir } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('backends');
});
afterAll(() => tmp.cleanup());

/** A fake install of a native package: package.json, and the binding only when `complete`. */
function fakePackage(name: string, complete: boolean): string {
  const dir = join(tmp.dir, 'node_modules', name);
  mkdirSync(join(dir, 'lib', 'napi-v8'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0' }));
  if (complete) writeFileSync(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
  return join(dir, 'package.json');
}

function fakeEnv(overrides: Partial<ProbeEnvironment>): ProbeEnvironment & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    resolvePackage: () => null,
    findLibraries: (names) => Object.fromEntries(names.map((n) => [n, null])),
    load: (name) => {
      loads.push(name);
      throw new Error(`${name}: libtensorflow.so.2: cannot open shared object file: No such file or directory`);
    },
    ...overrides,
  };
}

describe('backend selection', () => {
  test('with the native packages absent it picks wasm (SIMD) and names why the faster ones are unavailable', async () => {
    const report = await selectBackend();
    expect(report.active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.tfjsVersion).toBe('4.22.0');
    expect(report.threads).toBe(1);
    const byName = Object.fromEntries(report.candidates.map((c) => [c.name, c]));
    expect(byName['node-gpu']).toMatchObject({ state: 'unavailable', reason: 'package @tensorflow/tfjs-node-gpu is not installed' });
    expect(byName.node).toMatchObject({ state: 'unavailable', reason: 'package @tensorflow/tfjs-node is not installed' });
    expect(byName.cpu?.state).toBe('skipped');
    // No NVIDIA driver here: the advice is the CPU native package, not the GPU one.
    expect(report.enableFaster).toMatch(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
  });

  test('a half-installed package and missing CUDA libraries are reported, not fatal; at most one native package is loaded', async () => {
    const gpu = fakePackage('@tensorflow/tfjs-node-gpu', true);
    const cpuNative = fakePackage('@tensorflow/tfjs-node', false);
    const report = await selectBackend({
      env: fakeEnv({
        resolvePackage: (name) => (name.endsWith('gpu') ? gpu : cpuNative),
        listVersions: (base) => (base === 'libcudart.so' ? ['libcudart.so.13', 'libcudart.so'] : []),
      }),
    });
    expect(report.active).toBe('wasm');
    const [g, n] = report.candidates;
    expect(g?.reason).toMatch(
      /libcudart\.so\.11\.0 and libcudnn\.so\.8 not found.*\(found libcudart\.so\.13, libcudart\.so: the wrong version\).*CUDA 11\.2.*cuDNN 8\.1/,
    );
    expect(n?.reason).toMatch(/half-installed: its native binding .* is missing/);
    expect(n?.enable).toBe('npm rebuild @tensorflow/tfjs-node');

    const gpuOk = fakePackage('@tensorflow/tfjs-node-gpu', true);
    const nodeOk = fakePackage('@tensorflow/tfjs-node', true);
    const env = fakeEnv({
      resolvePackage: (name) => (name.endsWith('gpu') ? gpuOk : nodeOk),
      findLibraries: (names) => Object.fromEntries(names.map((l) => [l, `/usr/lib/${l}`])),
    });
    const second = await selectBackend({ env });
    expect(env.loads).toEqual(['@tensorflow/tfjs-node-gpu']);
    expect(second.candidates[0]).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/failed to load: .*libtensorflow\.so\.2: cannot open shared object/),
    });
    expect(second.candidates[1]).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/already tried/) });
    expect(second.active).toBe('wasm');
  });

  test('a user can force a backend; an unknown name fails clearly', async () => {
    const forced = await selectBackend({ force: 'cpu' });
    expect(forced).toMatchObject({ active: 'cpu', forced: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend({ force: 'tpu' })).rejects.toThrow('unknown backend "tpu": choose one of node-gpu, node, wasm, cpu');
    expect(parseBackendName('TensorFlow')).toBe('node');
    expect(parseBackendName(' CPU ')).toBe('cpu');
    await expect(selectBackend({ force: 'node' })).rejects.toThrow(
      /backend node was forced but cannot start: node: package @tensorflow\/tfjs-node is not installed/,
    );
    await selectBackend({ force: 'wasm' });
  });

  test('the doctor (through the engine, in a training process) reports the same, and rejects an unknown backend', async () => {
    const engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
    try {
      const report = await engine.call('system.doctor', {});
      expect(report).toMatchObject({ active: 'wasm', simd: true, threads: 1, tfjsVersion: '4.22.0', featureCacheBytes: null });
      expect(report.cores).toBeGreaterThan(0);
      expect(report.candidates.find((c) => c.name === 'node')?.reason).toBe('package @tensorflow/tfjs-node is not installed');
      await expect(engine.call('system.doctor', { backend: 'quantum' })).rejects.toThrow(/unknown backend "quantum"/);
    } finally {
      await engine.close();
    }
  });
});
