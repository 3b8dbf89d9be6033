import { join } from 'node:path';
import { main } from '../../../src/main/cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Non-TTY streams so the CLI prints exactly what a piped `lds` would (no progress bars).
const captureStream = (append: (s: string) => void): NodeJS.WriteStream =>
  ({ write: (s: string) => (append(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;

/** Runs `lds ...argv` through main() in `dir`, with user data kept under `dir/user`. */
export async function runCli(dir: string, argv: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv], {
    stdout: captureStream((s) => (stdout += s)),
    stderr: captureStream((s) => (stderr += s)),
    env: { ...process.env, LDS_USER_DATA: join(dir, 'user') },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

/** Runs `lds --workspace <dir>/ws ...argv`. */
export const runCliInWorkspace = (dir: string, argv: readonly string[]): Promise<CliResult> =>
  runCli(dir, ['--workspace', join(dir, 'ws'), ...argv]);

/** The JSON object a `--json` command prints on its last line. */
export const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) as string);
