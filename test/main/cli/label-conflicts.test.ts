import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema, statusSchema } from '@shared/contract';
import { noisyJpeg } from '../../fixtures/images';
import { lastJson, runCliInWorkspace } from './run-cli';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-conflicts-'));
  for (const cls of ['cats', 'dogs']) mkdirSync(join(dir, 'pets', cls), { recursive: true });
  writeFileSync(join(dir, 'pets', 'cats', 'same.jpg'), await noisyJpeg(16, 16, 1));
  copyFileSync(join(dir, 'pets', 'cats', 'same.jpg'), join(dir, 'pets', 'dogs', 'same.jpg'));
  writeFileSync(join(dir, 'pets', 'dogs', 'other.jpg'), await noisyJpeg(16, 16, 2));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lds and label conflicts (issue 13, item 5)', () => {
  it('import names the conflict, status --json counts it, lds label resolves it', async () => {
    const imported = await runCliInWorkspace(dir, ['import', join(dir, 'pets'), '--json']);
    expect(imported.code).toBe(0);
    const result = importResultSchema.parse(lastJson(imported.stdout));
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]?.classes).toEqual(['cats', 'dogs']);
    expect(imported.stderr).toMatch(/label conflict: image \d+ is under cats and dogs/);

    const status = statusSchema.strict().parse(lastJson((await runCliInWorkspace(dir, ['status', '--json'])).stdout));
    expect(status).toMatchObject({ conflicts: 1, unlabelled: 1 });
    expect((await runCliInWorkspace(dir, ['status'])).stdout).toMatch(/label conflicts 1/);

    const id = String(result.conflicts[0]?.imageId);
    expect((await runCliInWorkspace(dir, ['label', id, '--class', 'dogs'])).code).toBe(0);
    const after = statusSchema.parse(lastJson((await runCliInWorkspace(dir, ['status', '--json'])).stdout));
    expect(after).toMatchObject({ conflicts: 0, unlabelled: 0 });
    expect(after.classes.map((c) => [c.name, c.count])).toEqual([
      ['cats', 0],
      ['dogs', 2],
    ]);
  });
});
