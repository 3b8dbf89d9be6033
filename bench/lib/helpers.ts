import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Other parts of the project keep their own measurements under bench/ (bench/augment*, bench/cpu-engine*,
 * bench/training*). bench/run.mjs compiles whichever exist next to main.mjs; this loads one by prefix,
 * or says why it cannot.
 */
export async function loadHelper(
  distDir: string,
  prefix: string,
): Promise<{ module: Record<string, unknown>; file: string } | { reason: string }> {
  if (!existsSync(distDir)) return { reason: `${distDir} missing` };
  const file = readdirSync(distDir).find((f) => f.startsWith(prefix) && f.endsWith('.mjs'));
  if (!file) return { reason: `no bench/${prefix}* module in the project yet` };
  try {
    const module = (await import(/* @vite-ignore */ pathToFileURL(join(distDir, file)).href)) as Record<string, unknown>;
    return { module, file };
  } catch (error) {
    return { reason: `bench/${file.replace(/\.mjs$/, '')} failed to load: ${(error as Error).message}` };
  }
}

/** The first exported function whose name matches, e.g. /latency/i. */
export function findExport(module: Record<string, unknown>, pattern: RegExp): ((...args: unknown[]) => unknown) | null {
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function' && pattern.test(name)) return value as (...args: unknown[]) => unknown;
  }
  return null;
}
