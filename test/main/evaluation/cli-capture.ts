import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/main/cli/index';
import { RESOURCES } from '../training/fixtures';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lds --workspace <dir>/ws ...args` through main() with captured streams, as the built CLI would. */
export async function runLds(dir: string, args: readonly string[]): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += String(d)));
  err.on('data', (d) => (stderr += String(d)));
  const env = { ...process.env, LDS_USER_DATA: join(dir, 'user'), LDS_RESOURCES: RESOURCES };
  const io = { stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream, env, cwd: dir };
  const code = await main(['--workspace', join(dir, 'ws'), ...args], io);
  return { code, stdout, stderr };
}

/** The JSON object a `--json` command prints on its last line. */
// Typed as JSON.parse's own result so tests can reach into it the way they assert on it.
export const lastJson = (stdout: string): ReturnType<typeof JSON.parse> => JSON.parse(stdout.trim().split('\n').at(-1) as string);
