import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, lastJson, runCli } from './run-cli';
import { tempDir } from '../training/fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('doctor-bench');
});
afterAll(() => tmp.cleanup());

const lds = (...argv: string[]): Promise<CliResult> => runCli(tmp.dir, argv);

describe('lds doctor --bench', () => {
  test('doctor --bench prints the bench object as its last line', async () => {
    const r = await lds('doctor', '--bench', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout, r.stderr).not.toBe('');
    const bench = lastJson(r.stdout);
    expect(Object.keys(bench)).toEqual([
      'backend',
      'threads',
      'featureImagesPerSecond',
      'forward',
      'scratchStepSeconds',
      'gradientCheckMaxError',
    ]);
    expect(bench).toMatchObject({ backend: 'wasm', forward: { engine: 'onnxruntime', provider: 'cpu' } });
    expect(bench.featureImagesPerSecond as number).toBeGreaterThan(0);
    expect((bench.forward as { imagesPerSecond: number }).imagesPerSecond).toBeGreaterThan(0);
    expect(bench.gradientCheckMaxError as number).toBeLessThan(1e-3);
  });
});
