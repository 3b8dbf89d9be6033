import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/main';
import { latencySamples } from '../../bench/stages/augment';
import { copySubset } from '../../bench/stages/training';

const DATASET = resolve(__dirname, '../../../shared/data/cats_and_dogs_filtered');
const temp = mkdtempSync(join(tmpdir(), 'lds-bench-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('bench command line', () => {
  it('defaults to the full settings on the shared dataset and the built CLI', () => {
    const args = parseArgs([], '/repo');
    expect(args.quick).toBe(false);
    expect(args.cli).toBe('/repo/out/main/cli.js');
    expect(args.dataset).toBe('/shared/data/cats_and_dogs_filtered');
    expect(args.only.has('peer')).toBe(true);
  });

  it('--quick, --only and --skip', () => {
    expect(parseArgs(['--quick'], '/r').quick).toBe(true);
    expect([...parseArgs(['--only', 'import,peer'], '/r').only]).toEqual(['import', 'peer']);
    expect(parseArgs(['--skip', 'scratch'], '/r').only.has('scratch')).toBe(false);
  });

  it('a full scratch run brings the import it trains on; a quick one trains on its own subset', () => {
    expect([...parseArgs(['--full', '--only', 'scratch'], '/r').only].sort()).toEqual(['import', 'scratch']);
    expect([...parseArgs(['--quick', '--only', 'scratch'], '/r').only]).toEqual(['scratch']);
  });

  it('rejects unknown arguments and stages with a clear message', () => {
    expect(() => parseArgs(['--fast'], '/r')).toThrow(/unknown argument "--fast"/);
    expect(() => parseArgs(['--only', 'import,speed'], '/r')).toThrow(/--only: unknown stage "speed"/);
    expect(() => parseArgs(['--cli'], '/r')).toThrow(/--cli needs a value/);
  });
});

describe('stage helpers', () => {
  it('accepts latency samples as an array or inside an object', () => {
    expect(latencySamples([1, 2, 'x'])).toEqual([1, 2]);
    expect(latencySamples({ samplesMs: [120, 130], augmentOnlyMs: [50] })).toEqual([120, 130]);
    expect(latencySamples({ nothing: true })).toEqual([]);
  });

  it.skipIf(!readdirSafe(DATASET))('copies a small train/validation subset for the slow cpu backend', () => {
    const dest = join(temp, 'subset');
    expect(copySubset(DATASET, dest, 40)).toEqual({ train: 30, validation: 10 });
    expect(readdirSync(join(dest, 'train/cats'))).toHaveLength(15);
    expect(readdirSync(join(dest, 'train/dogs'))).toHaveLength(15);
    expect(readdirSync(join(dest, 'validation/cats'))).toHaveLength(5);
  });
});

function readdirSafe(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
