import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import sharp from 'sharp';
import { main } from '../../../src/main/cli/index';
import { noisyJpeg } from '../../fixtures/images';

let dir: string;
let picture: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-augment-cli-'));
  picture = join(dir, 'cat.jpg');
  writeFileSync(picture, await noisyJpeg(50, 30, 5));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lds(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    ({ write: (s: string) => (append(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { ...process.env, LDS_USER_DATA: join(dir, 'user') },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

test('augment preview writes the original and n variants as PNGs, like flow(save_to_dir)', async () => {
  const out = join(dir, 'out');
  const run = await lds(
    'augment',
    'preview',
    picture,
    '--preset',
    'keras-blog',
    '--n',
    '3',
    '--seed',
    '4',
    '--size',
    '32',
    '--out',
    out,
    '--json',
  );
  expect(run.stderr).not.toMatch(/^lds:/m);
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { files: string[]; n: number };
  expect(summary.n).toBe(3);
  expect(readdirSync(out).sort()).toEqual(['cat-original.png', 'cat-variant-0.png', 'cat-variant-1.png', 'cat-variant-2.png']);
  const meta = await sharp(join(out, 'cat-variant-1.png')).metadata();
  expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 32, 32, 3]);
  const variants = ['0', '1', '2'].map((k) => readFileSync(join(out, `cat-variant-${k}.png`)).toString('base64'));
  expect(new Set(variants).size).toBe(3);

  // The same command again writes the same pictures: seeded.
  const out2 = join(dir, 'out2');
  await lds('augment', 'preview', picture, '--preset', 'keras-blog', '--n', '3', '--seed', '4', '--size', '32', '--out', out2);
  expect(readFileSync(join(out2, 'cat-variant-1.png'))).toEqual(readFileSync(join(out, 'cat-variant-1.png')));

  // More variants than one preview page: the pages join up, and variant k stays variant k.
  const many = join(dir, 'many');
  const long = await lds(
    'augment',
    'preview',
    picture,
    '--preset',
    'keras-blog',
    '--n',
    '70',
    '--seed',
    '4',
    '--size',
    '32',
    '--out',
    many,
  );
  expect(long.code, long.stderr).toBe(0);
  expect(readdirSync(many)).toHaveLength(71);
  expect(readFileSync(join(many, 'cat-variant-1.png'))).toEqual(readFileSync(join(out, 'cat-variant-1.png')));
  expect(readFileSync(join(many, 'cat-variant-69.png'))).not.toEqual(readFileSync(join(many, 'cat-variant-5.png')));
});

test('--params with a bad value fails with one line naming the parameter', async () => {
  const run = await lds('augment', 'preview', picture, '--params', '{"zoom_range": 0, "fill_mode": "mirror"}', '--out', join(dir, 'bad'));
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/--params: fill_mode: fill_mode must be one of nearest, constant, reflect, wrap/);
});

test('--out is required', async () => {
  const run = await lds('augment', 'preview', picture);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--out DIR is required/);
});
