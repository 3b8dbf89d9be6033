// Runs bench/cpu-engine.ts from source (TypeScript through jiti, with the @shared alias).
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { alias: { '@shared': fileURLToPath(new URL('../src/shared', import.meta.url)) } });
await jiti.import(process.env.LDS_BENCH_SCRIPT ?? './cpu-engine.ts');
