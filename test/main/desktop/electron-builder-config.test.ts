/**
 * What electron-builder.yml promises about the installers, checked against the real tree: every key is
 * one electron-builder's published schema knows, and every native binary or wasm file a production
 * dependency ships is unpacked from the asar (native code cannot read inside one). No packaging runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { Minimatch } from 'minimatch';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ORT_WORKER_BUNDLE } from '../../../src/main/training/forward/ort-thread/ort-thread';
import { POOL_WORKER_BUNDLE } from '../../../src/main/training/worker/parallel/worker-entry';

const root = resolve(__dirname, '../../..');
const require = createRequire(__filename);
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  buildDependenciesFromSource: boolean;
  [section: string]: unknown;
}
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

// electron-builder matches its globs with minimatch and `dot: true` (app-builder-lib's fileMatcher).
const globs = (patterns: string[]) => patterns.map((p) => new Minimatch(p, { dot: true }));
const matchesAny = (path: string, patterns: string[]) => globs(patterns).some((g) => g.match(path));

interface Schema {
  properties?: Record<string, { anyOf?: Array<{ $ref?: string }>; $ref?: string }>;
  definitions: Record<string, Schema>;
}
const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as Schema;

/** Keys of `section` that the schema does not know, as dotted paths; descends one level into object sections. */
function unknownKeys(section: Record<string, unknown>, definition: Schema, path = ''): string[] {
  return Object.entries(section).flatMap(([key, value]) => {
    const property = definition.properties?.[key];
    if (!property) return [`${path}${key}`];
    const ref = property.$ref ?? property.anyOf?.find((a) => a.$ref)?.$ref;
    const inner = ref ? schema.definitions[ref.replace('#/definitions/', '')] : undefined;
    if (!path && inner?.properties && value && typeof value === 'object' && !Array.isArray(value)) {
      return unknownKeys(value as Record<string, unknown>, inner, `${key}.`);
    }
    return [];
  });
}

/** Files of installed production packages (package-lock's non-dev entries), relative to the app root. */
function productionFiles(): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const packages = Object.entries(lock.packages).filter(([dir, meta]) => dir && !meta.dev && existsSync(join(root, dir)));
  return packages.flatMap(([dir]) =>
    (
      readdirSync(join(root, dir), { recursive: true, withFileTypes: true }) as Array<{
        isFile(): boolean;
        name: string;
        parentPath: string;
      }>
    )
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)))
      // Nested node_modules are packages of their own, listed separately in the lock.
      .filter((path) => !path.slice(dir.length).includes('/node_modules/')),
  );
}

function targets(platform: unknown): string[] {
  const target = (platform as { target?: unknown } | undefined)?.target;
  return (Array.isArray(target) ? target : [target]).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

describe('electron-builder.yml', () => {
  it("uses only options electron-builder's schema knows, and the check catches a misspelling", () => {
    expect(unknownKeys(config, schema)).toEqual([]);
    expect(unknownKeys({ ...config, linux: { targets: ['AppImage'] }, asarUnpak: [] }, schema)).toEqual(['linux.targets', 'asarUnpak']);
  });

  it('builds AppImage and deb, dmg, and nsis, all with our icon', async () => {
    expect(targets(config.linux).sort()).toEqual(['AppImage', 'deb']);
    expect(targets(config.mac)).toEqual(['dmg']);
    expect(targets(config.win)).toEqual(['nsis']);
    for (const platform of ['linux', 'mac', 'win']) expect((config[platform] as { icon?: string }).icon).toBe('resources/icon.png');
    const meta = await sharp(join(root, 'resources', 'icon.png')).metadata();
    // macOS needs 512 px or more to derive an .icns; Windows 256 px for the .ico.
    expect(meta.width).toBeGreaterThanOrEqual(512);
    expect(meta.height).toBe(meta.width);
  });

  it('packs the entry point, the build output and resources', () => {
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main.replace(/^\.\//, '');
    const include = config.files.filter((p) => !p.startsWith('!'));
    for (const path of [main, 'out/renderer/index.html', 'resources/icon.png', 'package.json'])
      expect(matchesAny(path, include), path).toBe(true);
    expect(config.asar).toBe(true);
  });

  it('unpacks every native binary and wasm file that a production dependency ships', () => {
    const exclude = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
    const packed = productionFiles().filter((path) => !matchesAny(path, exclude));
    const binaries = packed.filter((path) => /\.(node|dll|dylib|wasm)$|\.so(\.\d+)*$/.test(path));
    // Those the real tree must have, or the check below proves nothing.
    for (const needed of [
      /better-sqlite3\/build\/Release\/better_sqlite3\.node$/,
      /@img\/sharp-[^/]+\/lib\/sharp-[^/]+\.node$/,
      /@img\/sharp-libvips-[^/]+\/lib\/libvips-cpp\.so/,
      /tfjs-backend-wasm\/dist\/tfjs-backend-wasm-simd\.wasm$/,
      /onnxruntime-node\/bin\/.*\/libonnxruntime\.so\.1$/,
    ]) {
      expect(
        binaries.some((path) => needed.test(path)),
        String(needed),
      ).toBe(true);
    }
    expect(binaries.filter((path) => !matchesAny(path, config.asarUnpack))).toEqual([]);
    expect(config.asarUnpack).toContain('resources/**');
  });

  it("unpacks ONNX Runtime's whole binding folder, where the opt-in CUDA 12 provider libraries land too", () => {
    // `npm install --onnxruntime-node-install=cuda12` adds these beside the binding; the lock does not list them.
    for (const lib of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']) {
      expect(matchesAny(`node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${lib}`, config.asarUnpack), lib).toBe(true);
    }
    expect(matchesAny('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll', config.asarUnpack)).toBe(true);
    // The JavaScript beside the binding stays packed: the check can fail.
    expect(matchesAny('node_modules/onnxruntime-node/dist/index.js', config.asarUnpack)).toBe(false);
  });

  it('unpacks every worker_threads bundle, which Node loads from disk, not from the archive', () => {
    for (const bundle of [POOL_WORKER_BUNDLE, ORT_WORKER_BUNDLE]) {
      expect(matchesAny(`out/main/${bundle}`, config.asarUnpack), bundle).toBe(true);
    }
    // The training process itself runs as a utilityProcess, which reads the archive: it stays packed.
    expect(matchesAny('out/main/training-worker.js', config.asarUnpack)).toBe(false);
  });

  it("keeps npm install offline-safe: .npmrc skips onnxruntime-node's CUDA download", () => {
    const npmrc = readFileSync(join(root, '.npmrc'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    expect(npmrc).toContain('onnxruntime-node-install=skip');
  });

  it("leaves the e2e workspace out of the app: electron-builder's own collector takes no tm-harness, Teachable Machine or TF.js 1.3.1", async () => {
    interface Collected {
      name: string;
      version: string;
      dir: string;
      dependencies?: Collected[];
    }
    const collectors = require('app-builder-lib/out/node-module-collector') as {
      PM: { NPM: string };
      getCollectorByPackageManager(
        pm: string,
        rootDir: string,
        tmp: unknown,
      ): { getNodeModules(o: { packageName: string }): Promise<{ nodeModules: Collected[] }> };
    };
    const { TmpDir } = require('temp-file') as { TmpDir: new () => { cleanup(): Promise<void> } };
    const tmp = new TmpDir();
    try {
      // What `npm run dist` packs: npm's production tree (`npm list --omit dev`), as electron-builder reads it.
      const collector = collectors.getCollectorByPackageManager(collectors.PM.NPM, root, tmp);
      const { nodeModules } = await collector.getNodeModules({ packageName: 'little-data-studio' });
      const flat = (modules: Collected[]): Collected[] => modules.flatMap((m) => [m, ...flat(m.dependencies ?? [])]);
      const packed = flat(nodeModules);
      // The check can fail: the app's own production dependencies are there.
      expect(packed.map((m) => m.name)).toEqual(
        expect.arrayContaining(['better-sqlite3', 'sharp', '@tensorflow/tfjs', 'onnxruntime-node']),
      );
      expect(
        packed.filter((m) => m.name === 'tm-harness' || m.name.startsWith('@teachablemachine/') || m.dir.includes('tm-harness')),
      ).toEqual([]);
      expect(packed.filter((m) => m.name === '@tensorflow/tfjs').map((m) => m.version)).toEqual(['4.22.0']);
    } finally {
      await tmp.cleanup();
    }
  }, 60_000);

  it("rebuilds native modules for Electron's ABI from prebuilt binaries", () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });
});
