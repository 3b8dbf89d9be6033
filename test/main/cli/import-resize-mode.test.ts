import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noisyJpeg } from '../../fixtures/images';
import { lastJson, runCli } from './run-cli';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-resize-'));
  mkdirSync(join(dir, 'photos', 'cats'), { recursive: true });
  writeFileSync(join(dir, 'photos', 'cats', 'a.jpg'), await noisyJpeg(20, 12, 3));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settingsOf = (ws: string): unknown => JSON.parse(readFileSync(join(ws, 'project.json'), 'utf8'));

describe('lds import --resize-mode (issue 17, item 1: chosen at project creation)', () => {
  it('creates the project with the mode, keeps it on later imports, and refuses another', async () => {
    const ws = join(dir, 'crop');
    const first = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'photos'), '--resize-mode', 'centre-crop', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(settingsOf(ws)).toMatchObject({ resizeMode: 'centre-crop' });
    // Without the option: the project's own mode stays.
    const again = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'photos')]);
    expect(again.code, again.stderr).toBe(0);
    expect(settingsOf(ws)).toMatchObject({ resizeMode: 'centre-crop' });
    const other = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'photos'), '--resize-mode', 'stretch', '--json']);
    expect(other.code).toBe(1);
    expect(lastJson(other.stdout)).toEqual({
      error: {
        code: 'invalid_input',
        message: expect.stringMatching(/was created with --resize-mode centre-crop; a project keeps the mode its runs were trained with/),
      },
    });
    expect(settingsOf(ws)).toMatchObject({ resizeMode: 'centre-crop' });
  });

  it('names the allowed modes for a wrong one and creates nothing', async () => {
    const ws = join(dir, 'typo');
    const r = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'photos'), '--resize-mode', 'crop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resize-mode must be one of stretch, centre-crop, got "crop"/);
    expect(existsSync(ws)).toBe(false);
  });
});
