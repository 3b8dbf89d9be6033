#!/usr/bin/env node
// `npm run bench`: the benchmark is written in TypeScript (type-checked with the rest of the project),
// so this launcher compiles bench/main.ts with the project's own vite (no extra loader dependency)
// into bench/.work/dist and runs it with the same arguments. Measurement modules that other parts of
// the project keep in bench/ (bench/augment*, bench/training*) are compiled next to
// it one by one, so one that does not build yet is reported instead of stopping the bench.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = resolve(root, 'bench');
const outDir = resolve(benchDir, '.work/dist');
mkdirSync(outDir, { recursive: true });
// bench/cpu-engine* runs as its own process (bench/cpu-engine-run.mjs), so it is not compiled here.
const HELPER_PREFIXES = ['augment', 'training'];

const { build } = await import('vite');

function compile(entry, name, emptyOutDir) {
  return build({
    configFile: false,
    root,
    logLevel: 'warn',
    resolve: { alias: { '@shared': resolve(root, 'src/shared') } },
    build: {
      ssr: entry,
      outDir,
      emptyOutDir,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: `${name}.mjs`, chunkFileNames: `${name}-[name]-[hash].mjs` } },
    },
  });
}

/** bench/<prefix>*.ts, or bench/<prefix>*\/index.ts */
function helperEntries() {
  const entries = [];
  for (const name of readdirSync(benchDir)) {
    if (!HELPER_PREFIXES.some((p) => name.startsWith(p))) continue;
    const path = join(benchDir, name);
    if (statSync(path).isDirectory()) {
      const index = ['index.ts', 'index.mts'].map((f) => join(path, f)).find(existsSync);
      if (index) entries.push({ entry: index, name });
    } else if (/\.m?ts$/.test(name) && !/\.d\.m?ts$/.test(name)) {
      entries.push({ entry: path, name: name.replace(/\.m?ts$/, '') });
    }
  }
  return entries;
}

await compile(resolve(benchDir, 'main.ts'), 'main', true);
for (const { entry, name } of helperEntries()) {
  try {
    await compile(entry, name, false);
  } catch (error) {
    console.error(`bench: ${entry} does not build yet (${String(error.message).split('\n')[0]}); its figures will be reported as missing`);
  }
}

const main = await import(pathToFileURL(resolve(outDir, 'main.mjs')).href);
process.exitCode = await main.runBench(process.argv.slice(2));
