import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const alias = { '@shared': resolve(__dirname, 'src/shared') };

export default defineConfig({
  resolve: { alias },
  test: {
    // Native modules (better-sqlite3, sharp) and the tfjs wasm backend are happiest in forked processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'] } },
      {
        // Renderer managers (*.svelte.ts) with their specs beside them, compiled as the browser gets them.
        extends: true,
        plugins: [svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') })],
        resolve: { alias, conditions: ['browser'] },
        test: { name: 'renderer', include: ['src/renderer/**/*.svelte.spec.ts'] },
      },
    ],
  },
});
