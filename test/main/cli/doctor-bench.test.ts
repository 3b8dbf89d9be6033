import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../src/main/cli';
import { tempDir } from '../training/fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('doctor-bench');
});
afterAll(() => tmp.cleanup());

async function lds(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (s: string) => void) => ({ write: (s: string) => (append(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
    env: { ...process.env, LDS_USER_DATA: join(tmp.dir, 'user') },
    cwd: tmp.dir,
  });
  return { code, stdout, stderr };
}
const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('lds doctor --bench', () => {
  test('doctor --bench prints the bench object as its last line', async () => {
    const r = await lds('doctor', '--bench', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout, r.stderr).not.toBe('');
    const bench = lastJson(r.stdout);
    expect(Object.keys(bench)).toEqual(['backend', 'threads', 'featureImagesPerSecond', 'scratchStepSeconds', 'gradientCheckMaxError']);
    expect(bench).toMatchObject({ backend: 'wasm' });
    expect(bench.featureImagesPerSecond as number).toBeGreaterThan(0);
    expect(bench.gradientCheckMaxError as number).toBeLessThan(1e-3);
  });

});
