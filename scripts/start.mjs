#!/usr/bin/env node
// `npm start`: build if out/ is missing or older than the sources, then open the studio window.
// Where Electron cannot start (binary not downloaded, no display, a crash at launch) it says why in
// one line and opens browser mode (`lds serve --open`) instead.
//
//   npm start                 window, else browser mode
//   npm start -- --browser    browser mode directly
//   npm start -- --no-open    browser mode without launching the system browser (CI, SSH)
//   npm start -- --port 5173  browser mode on a fixed port
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The electron-vite outputs `npm start` needs, and the inputs they are built from. */
const OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/main/training-worker.js', 'out/preload/index.js', 'out/renderer/index.html'];
const INPUTS = ['src', 'electron.vite.config.ts', 'svelte.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildProblem() {
  for (const output of OUTPUTS) {
    const path = join(root, output);
    if (!existsSync(path) || statSync(path).size === 0) return `${output} is missing`;
  }
  const oldestOutput = Math.min(...OUTPUTS.map((o) => statSync(join(root, o)).mtimeMs));
  const newestInput = Math.max(...INPUTS.map((i) => newestMtime(join(root, i))));
  return newestInput > oldestOutput ? 'the sources changed since the last build' : null;
}

function ensureBuilt() {
  const problem = buildProblem();
  if (!problem) return;
  process.stderr.write(`Building the studio (${problem})…\n`);
  const run = spawnSync(
    join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite'),
    ['build'],
    {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    },
  );
  if (run.status !== 0) {
    process.stderr.write('npm start: the build failed (see above); fix it and run `npm start` again.\n');
    process.exit(1);
  }
}

/** Electron's executable, or why there is none. Never triggers electron's download-on-require. */
function findElectron() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (npm install --include=dev)' };
  }
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH && !existsSync(join(packageDir, 'path.txt'))) {
    return {
      reason:
        "Electron's binary was never downloaded (node_modules/electron/dist is missing; run `node node_modules/electron/install.js` where the network allows)",
    };
  }
  let executable;
  try {
    executable = require('electron');
  } catch (error) {
    return { reason: `Electron's binary is unusable: ${String(error?.message ?? error).split('\n')[0]}` };
  }
  if (typeof executable !== 'string' || !existsSync(executable)) return { reason: `Electron's binary is missing (${executable})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  return { executable, version };
}

/**
 * better-sqlite3 in node_modules is compiled for Node's ABI (the CLI, tests and browser mode use
 * it). Electron needs its own build: fetched once with prebuild-install into node_modules/.cache
 * and handed to the catalogue through LDS_BETTER_SQLITE3_BINDING, leaving Node's build alone.
 */
function electronSqliteBinding(electronVersion) {
  const target = join(
    root,
    'node_modules',
    '.cache',
    'lds-electron-native',
    `${electronVersion}-${process.platform}-${process.arch}`,
    'better_sqlite3.node',
  );
  if (existsSync(target)) return { binding: target };
  const source = dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(join(tmpdir(), 'lds-sqlite-electron-'));
  try {
    cpSync(source, work, { recursive: true, filter: (path) => !path.startsWith(join(source, 'build')) });
    const prebuild = require.resolve('prebuild-install/bin.js');
    const run = spawnSync(
      process.execPath,
      [prebuild, '--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`, `--platform=${process.platform}`],
      {
        cwd: work,
        stdio: 'ignore',
        timeout: 120_000,
      },
    );
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (run.status !== 0 || !existsSync(built)) {
      return {
        reason: `no better-sqlite3 build for Electron ${electronVersion} could be fetched; run \`npx electron-builder install-app-deps\` (then \`npm rebuild better-sqlite3\` before using the CLI again)`,
      };
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, target);
    return { binding: target };
  } catch (error) {
    return { reason: `preparing better-sqlite3 for Electron failed: ${String(error?.message ?? error).split('\n')[0]}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function startBrowserMode(why) {
  if (why) process.stderr.write(`The desktop window cannot open: ${why}. Starting browser mode instead.\n`);
  const serveArgs = [join(root, 'bin', 'lds.js'), 'serve'];
  if (!flag('--no-open')) serveArgs.push('--open');
  const port = option('--port');
  if (port) serveArgs.push('--port', port);
  const child = spawn(process.execPath, serveArgs, { cwd: root, stdio: 'inherit' });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

/** Electron that dies within this long of starting did not start (missing libraries, GPU, sandbox). */
const STARTUP_GRACE_MS = 5000;

function startElectron(electron) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const sqlite = electronSqliteBinding(electron.version);
  if (sqlite.binding) env.LDS_BETTER_SQLITE3_BINDING = sqlite.binding;
  else process.stderr.write(`Warning: ${sqlite.reason}.\n`);

  const child = spawn(electron.executable, [root], { cwd: root, env, stdio: ['inherit', 'inherit', 'pipe'] });
  forwardSignals(child);
  let starting = true;
  let early = '';
  child.stderr.on('data', (chunk) => {
    if (starting) early += chunk.toString();
    else process.stderr.write(chunk);
  });
  const timer = setTimeout(() => {
    starting = false;
    process.stderr.write(early);
  }, STARTUP_GRACE_MS);
  child.on('error', (error) => {
    clearTimeout(timer);
    startBrowserMode(`Electron could not be run (${error.message})`);
  });
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    if (starting && (code !== 0 || signal)) {
      const last = early.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${code ?? signal}`;
      startBrowserMode(`Electron exited while starting (${last.slice(0, 200)})`);
      return;
    }
    process.exit(code ?? 1);
  });
}

ensureBuilt();
if (flag('--browser')) {
  startBrowserMode(null);
} else {
  const electron = findElectron();
  if (electron.executable) startElectron(electron);
  else startBrowserMode(electron.reason);
}
