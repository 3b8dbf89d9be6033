#!/usr/bin/env node
// Compiles bench/ui-latency.ts with the project's vite (as bench/run.mjs does) and runs it alone:
//   node bench/ui-latency-run.mjs [augment|thumbs|all]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, 'bench/.work/ui-latency');
const { build } = await import('vite');
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  resolve: { alias: { '@shared': resolve(root, 'src/shared') } },
  build: {
    ssr: resolve(root, 'bench/ui-latency.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      output: {
        // Engine modules use CommonJS' __filename (electron-vite builds them as CommonJS).
        banner:
          "import { fileURLToPath as __toPath } from 'node:url'; import { dirname as __dirOf } from 'node:path'; const __filename = __toPath(import.meta.url); const __dirname = __dirOf(__filename);",
        format: 'es',
        entryFileNames: 'ui-latency.mjs',
        chunkFileNames: 'ui-latency-[name]-[hash].mjs',
      },
    },
  },
});
const run = spawnSync(process.execPath, [resolve(outDir, 'ui-latency.mjs'), root, process.argv[2] ?? 'all'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
