/**
 * electron-builder's own schema validation of electron-builder.yml (no Electron download, no
 * packaging), plus the promises docs/desktop.md makes about the installers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import sharp from 'sharp';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');

async function load(): Promise<Configuration> {
  return getConfig(root, 'electron-builder.yml', null);
}

function targets(platform: unknown): string[] {
  const target = (platform as { target?: unknown } | undefined)?.target;
  return (Array.isArray(target) ? target : [target]).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validateConfiguration(await load(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is really checked: a misspelt option is rejected', async () => {
    const config = { ...(await load()), linux: { targets: ['AppImage'] } } as unknown as Configuration;
    await expect(validateConfiguration(config, new DebugLogger(false))).rejects.toThrow(/configuration\.linux/);
  });

  it('builds AppImage and deb, dmg, and nsis, all with our icon', async () => {
    const config = await load();
    expect(targets(config.linux).sort()).toEqual(['AppImage', 'deb']);
    expect(targets(config.mac)).toEqual(['dmg']);
    expect(targets(config.win)).toEqual(['nsis']);
    for (const platform of [config.linux, config.mac, config.win]) {
      const icon = (platform as { icon?: string }).icon;
      expect(icon).toBe('resources/icon.png');
    }
    const meta = await sharp(join(root, 'resources', 'icon.png')).metadata();
    // macOS needs 512 px or more to derive an .icns; Windows 256 px for the .ico.
    expect(meta.width).toBeGreaterThanOrEqual(512);
    expect(meta.height).toBe(meta.width);
  });

  it('packs the build output and resources into an asar, unpacking what native code reads', async () => {
    const config = await load();
    expect(config.asar).toBe(true);
    // getConfig normalises `files` into file sets: [{ filter: [...] }].
    const files = (config.files as Array<{ filter?: string[] }>).flatMap((set) => set.filter ?? []);
    expect(files).toEqual(expect.arrayContaining(['out/**', 'resources/**', 'package.json']));
    const unpack = config.asarUnpack as string[];
    for (const pattern of [
      'resources/**',
      '**/*.node',
      '**/node_modules/better-sqlite3/**',
      '**/node_modules/sharp/**',
      '**/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
      '**/node_modules/@tensorflow/tfjs-node-gpu/**',
    ]) {
      expect(unpack).toContain(pattern);
    }
    expect(existsSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });

  it("unpacks every file of ONNX Runtime's binding folder (the .node and the libraries it loads)", async () => {
    const unpack = (await load()).asarUnpack as string[];
    const binDir = join(root, 'node_modules/onnxruntime-node/bin');
    const files = (readdirSync(binDir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split('\\').join('/'));
    // The binaries npm ships: a binding and its runtime library per platform, DirectML on Windows.
    expect(files).toEqual(expect.arrayContaining(['node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', 'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll']));
    // The opt-in CUDA 12 install drops its provider libraries into the same folder.
    files.push('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
    const unpacked = (file: string): boolean => unpack.some((pattern) => minimatch(file, pattern, { dot: true }));
    expect(files.filter((f) => !unpacked(f))).toEqual([]);
    // The check can fail: the JavaScript beside the binding stays packed.
    expect(unpacked('node_modules/onnxruntime-node/dist/index.js')).toBe(false);
  });

  it('keeps npm install offline-safe: .npmrc skips onnxruntime-node\'s CUDA download', () => {
    const npmrc = readFileSync(join(root, '.npmrc'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    expect(npmrc).toContain('onnxruntime-node-install=skip');
  });

  it("rebuilds native modules for Electron's ABI from prebuilt binaries", async () => {
    const config = await load();
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });
});
