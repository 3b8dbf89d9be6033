import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema, statusSchema } from '@shared/contract';
import { noisyJpeg } from '../../fixtures/images';
import { lastJson, runCli, runCliInWorkspace } from './run-cli';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-csv-'));
  mkdirSync(join(dir, 'flat'));
  for (const [i, name] of ['1.jpg', '2.JPG', '3.png', '4.jpg'].entries())
    writeFileSync(join(dir, 'flat', name), await noisyJpeg(12, 12, 40 + i));
  // Tab-separated with a BOM and CRLF, ids without extension, a row for a file that is not there.
  writeFileSync(
    join(dir, 'flat', 'labels.tsv'),
    '\uFEFFimage_id\tspecies\tfold\r\n1\tcat\ttrain\r\n2\tcat\tval\r\n3\tdog\ttest\r\n9\tdog\ttrain\r\n',
  );
  writeFileSync(join(dir, 'no-label.csv'), 'file,width,height\n1.jpg,12,12\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lds import --labels (issue 17, item 4)', () => {
  it('labels a flat folder from a CSV and reports the rows it could not use, with file and line', async () => {
    const r = await runCliInWorkspace(dir, [
      'import',
      join(dir, 'flat'),
      '--labels',
      join(dir, 'flat', 'labels.tsv'),
      '--split-column',
      'fold',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = importResultSchema.parse(lastJson(r.stdout));
    expect(result.added).toBe(4);
    expect(result.skipped).toEqual([]);
    expect(result.labels).toMatchObject({
      delimiter: '\t',
      columns: { path: 'image_id', label: 'species', split: 'fold' },
      labelled: 3,
      split: 3,
      unlisted: 1,
    });
    expect(r.stderr).toContain(
      `labels from ${join(dir, 'flat', 'labels.tsv')}: columns "image_id" (file), "species" (label), "fold" (split)`,
    );
    expect(r.stderr).toContain('4 rows: 3 images labelled, 3 placed in a split, 1 images without a row; 1 missing file');
    expect(r.stderr).toContain(`${join(dir, 'flat', 'labels.tsv')}:5: 9: no such file among the imported images`);
    const status = statusSchema.parse(lastJson((await runCliInWorkspace(dir, ['status', '--json'])).stdout));
    expect(status.classes.map((c) => [c.name, c.count, c.splits])).toEqual([
      ['cat', 2, { train: 1, validation: 1 }],
      ['dog', 1, { test: 1 }],
    ]);
    expect(status.unlabelled).toBe(1);
  });

  it('stops before importing when the CSV has no label column, naming the file and its columns', async () => {
    const ws = join(dir, 'ws2');
    const r = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'flat'), '--labels', join(dir, 'no-label.csv'), '--json']);
    expect(r.code).toBe(1);
    expect(lastJson(r.stdout)).toEqual({
      error: {
        code: 'invalid_input',
        message: `cannot read labels from ${join(dir, 'no-label.csv')}: no column holds the labels (its columns are "file", "width", "height"); name the label column`,
      },
    });
    // Nothing was created.
    expect(existsSync(ws)).toBe(false);
    const missing = await runCli(dir, ['--workspace', ws, 'import', join(dir, 'flat'), '--labels', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lds: cannot read labels from .*nope\.csv: /);
    const stray = await runCliInWorkspace(dir, ['import', join(dir, 'flat'), '--label-column', 'x']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--label-column goes with --labels FILE\.csv/);
  });
});
