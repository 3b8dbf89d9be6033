import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema } from '@shared/contract';
import { main } from '../../../src/main/cli';
import { noisyJpeg } from '../../fixtures/images';

const REPO = resolve(__dirname, '../../..');

let dir: string;
let photos: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-'));
  photos = join(dir, 'photos');
  let seed = 1;
  for (const [split, cls] of [
    ['train', 'ants'],
    ['train', 'bees'],
    ['val', 'ants'],
    ['val', 'bees'],
  ]) {
    mkdirSync(join(photos, split as string, cls as string), { recursive: true });
    for (let i = 0; i < 2; i++)
      writeFileSync(join(photos, split as string, cls as string, `${cls}-${i}.jpg`), await noisyJpeg(12, 12, seed++));
  }
  writeFileSync(join(photos, 'train', 'ants', 'broken.jpg'), 'nope');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs main() with captured streams, the way the built CLI would. */
async function lds(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (s: string) => void) =>
    ({ write: (s: string) => (append(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
    env: { ...process.env, LDS_USER_DATA: join(dir, 'user') },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const lastJson = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('lds (main)', () => {
  it('imports with progress on stderr, lists skipped files, and prints the result as JSON', async () => {
    const r = await lds('--workspace', 'ws', 'import', 'photos', '--seed', '7', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped .*broken\.jpg: not an image/);
    expect(r.stderr).toMatch(/100%/);
    expect(lastJson(r.stdout)).toMatchObject({ scanned: 9, added: 8, skipped: [{ reason: expect.any(String) }] });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('status --json prints exactly the status object as the last line', async () => {
    const r = await lds('status', '--json', '-w', 'ws');
    expect(r.code).toBe(0);
    const status = statusSchema.strict().parse(lastJson(r.stdout));
    expect(status).toMatchObject({ images: 8, splits: { train: 4, validation: 4 }, unlabelled: 0 });
    expect(status.classes.map((c) => [c.name, c.count])).toEqual([
      ['ants', 4],
      ['bees', 4],
    ]);
    const human = await lds('-w', 'ws', 'status');
    expect(human.stdout).toMatch(/ants\s+2\s+2\s+0\s+0\s+4/);
  });

  it('labels by path and by id, creating the class when new', async () => {
    const byPath = await lds('-w', 'ws', 'label', join('photos', 'train', 'ants', 'ants-0.jpg'), '--class', 'bees');
    expect(byPath.code).toBe(0);
    expect(byPath.stdout).toMatch(/labelled bees: 1 images \(1 changed\)/);
    const byId = await lds('-w', 'ws', 'label', '1', '--class', 'wasps', '--json');
    expect(byId.stderr).toMatch(/created class "wasps"/);
    expect(lastJson(byId.stdout)).toMatchObject({ imageIds: [1], changed: 1 });
    const status = lastJson((await lds('-w', 'ws', 'status', '--json')).stdout) as { classes: Array<{ name: string; count: number }> };
    expect(status.classes.map((c) => [c.name, c.count])).toEqual([
      ['ants', 3],
      ['bees', 4],
      ['wasps', 1],
    ]);
    const unknown = await lds('-w', 'ws', 'label', join(dir, 'elsewhere.jpg'), '--class', 'bees');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^lds: .*elsewhere\.jpg is not in this project's catalogue/);
  });

  it('rescan reports missing files', async () => {
    rmSync(join(photos, 'val', 'bees', 'bees-1.jpg'));
    const r = await lds('-w', 'ws', 'rescan', '--json');
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ checked: 8, missing: 1 });
  });

  it('fails with one clear line and a non-zero code', async () => {
    const noProject = await lds('-w', 'nowhere', 'status');
    expect(noProject.code).toBe(1);
    expect(noProject.stderr.trim().split('\n')).toHaveLength(1);
    expect(noProject.stderr).toMatch(/^lds: no such folder: .*nowhere/);
    expect((await lds('frobnicate')).code).toBe(2);
    const badOption = await lds('import', photos, '--val-fraction', '2');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--val-fraction must be a fraction/);
    expect((await lds('status', '--bogus')).stderr).toMatch(/unknown option --bogus/);
    expect((await lds('import')).stderr).toMatch(/at least one folder/);
    expect((await lds('--help')).stdout).toMatch(/import .*\n.*status/);
  });
});

const BUILT = join(REPO, 'out', 'main', 'cli.js');
describe.skipIf(!existsSync(BUILT))('the built CLI (bin/lds.js)', () => {
  it('runs status --json from a shell', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO, 'bin', 'lds.js'), '--workspace', join(dir, 'ws'), 'status', '--json'],
      {
        env: { ...process.env, LDS_USER_DATA: join(dir, 'user') },
      },
    );
    expect(statusSchema.parse(lastJson(stdout)).images).toBe(8);
  });
});
