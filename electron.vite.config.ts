import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const alias = { '@shared': resolve(__dirname, 'src/shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      // Native and wasm-backed libraries stay external: they load their binaries at run time.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          'training-worker': resolve(__dirname, 'src/main/training/worker/training-worker.ts'),
          'wasm-pool-worker': resolve(__dirname, 'src/main/training/worker/parallel/pool-worker.ts'),
          'ort-worker': resolve(__dirname, 'src/main/training/forward/ort-thread/ort-worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      // A sandboxed preload can require nothing but 'electron': bundle the contract and zod into it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    resolve: { alias },
    plugins: [svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') })],
    build: {
      // The dataset map's scatter gets a page of its own (serving/serving.ts, MAP_FRAME_PAGE).
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html'), 'map-frame': resolve(__dirname, 'src/renderer/map-frame.html') },
      },
    },
  },
});
