import { existsSync } from 'node:fs';
import { failureReason, parseLastJson, runCommand, type RunOptions, type RunResult } from './proc';

export interface LdsResult extends RunResult {
  json: Record<string, unknown> | null;
  /** Non-null when the command failed or printed no JSON. */
  failure: string | null;
}

/** The real `lds` CLI (the built out/main/cli.js) as a child process, one workspace per instance. */
export class Lds {
  constructor(
    readonly cliPath: string,
    readonly workspace: string,
    readonly options: { verbose?: boolean; timeoutMs?: number } = {},
  ) {}

  available(): string | null {
    return existsSync(this.cliPath) ? null : `${this.cliPath} not built (run npx electron-vite build)`;
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<LdsResult> {
    const full = ['--workspace', this.workspace, ...args, '--json'];
    if (this.options.verbose) process.stderr.write(`  $ lds ${full.join(' ')}\n`);
    const result = await runCommand(process.execPath, [this.cliPath, ...full], {
      timeoutMs: this.options.timeoutMs,
      ...options,
    });
    const what = `lds ${args.slice(0, 2).join(' ')}`;
    return { ...result, json: parseLastJson(result.stdout), failure: failureReason(result, what) };
  }
}

/** The bench's batch: the Keras blog's and the peer's. */
export const BENCH_BATCH = 16;

/**
 * `lds train` arguments as every bench stage passes them: a mode, its epochs, batch 16 and a backend
 * (wasm unless the stage measures another); `from` names a fine-tune's parent, `extra` anything else.
 */
export function trainArgs(
  mode: 'scratch' | 'bottleneck' | 'finetune' | 'auto',
  epochs: number,
  options: { from?: string; backend?: string; extra?: readonly string[] } = {},
): string[] {
  return [
    '--mode',
    mode,
    ...(options.from ? ['--from', options.from] : []),
    '--epochs',
    String(epochs),
    '--batch',
    String(BENCH_BATCH),
    '--backend',
    options.backend ?? 'wasm',
    ...(options.extra ?? []),
  ];
}

/** Reads a number from a JSON result by the first of several key paths that holds one. */
export function pickNumber(json: Record<string, unknown> | null | undefined, ...paths: string[]): number | null {
  for (const path of paths) {
    const value = pick(json, path);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

export function pickString(json: Record<string, unknown> | null | undefined, ...paths: string[]): string | null {
  for (const path of paths) {
    const value = pick(json, path);
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return null;
}

export function pick(json: unknown, path: string): unknown {
  let node: unknown = json;
  for (const key of path.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
