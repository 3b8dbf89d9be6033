import { resolve } from 'node:path';
import { RESIZE_MODES, type CsvLabelsOptions, type CsvLabelsReport, type ImportResult, type ResizeMode } from '@shared/contract';
import { EngineError } from '../../engine/errors';
import { checkUserPath, statBounded } from '../../engine/user-paths';
import { defineCommand, numberOption, UsageError, type OptionValues } from '../command';
import { reportLines } from '../report-lines';

export default defineCommand({
  forms: ['<folder>...'],
  allowPositionals: true,
  options: {
    labels: {
      type: 'string',
      value: 'FILE',
      description:
        'take labels (and splits) from a CSV file: one row per image, its file name or relative path and its class; a file whose first row names an image has no header and its columns are numbered 1, 2, …',
    },
    'path-column': {
      type: 'string',
      value: 'C',
      description: "the CSV's column of file names or relative paths, by name or number (1 = the first)",
      default: 'found by name: file, filename, path, image, id, … else the first column',
    },
    'label-column': {
      type: 'string',
      value: 'C',
      description: "the CSV's column of class names, by name or number",
      default: 'found by name: label, class, category, breed, …',
    },
    'split-column': {
      type: 'string',
      value: 'C',
      description: 'the CSV\'s column of splits (train, validation|val|valid, test); "" for none',
      default: 'found by name: split, subset, set, …; none: seeded split',
    },
    'val-fraction': {
      type: 'string',
      value: 'F',
      description: 'share of new images put in validation where no split folder or column says',
      default: '0.2',
      allowed: 'a fraction from 0 to 0.9',
    },
    'test-fraction': {
      type: 'string',
      value: 'F',
      description: 'share of new images put in test where no split folder or column says',
      default: '0',
      allowed: 'a fraction from 0 to 0.9',
    },
    seed: {
      type: 'string',
      value: 'N',
      description: 'seed of that split (the same seed puts an image in the same split on every machine)',
      default: '42',
      allowed: 'a whole number ≥ 0',
    },
    'resize-mode': {
      type: 'string',
      value: 'MODE',
      description:
        'how pictures become the model input, chosen when the project is created: stretch the whole picture (Keras) or crop its centre square (Teachable Machine, torchvision)',
      default: 'stretch',
      choices: RESIZE_MODES,
    },
  },
  notes: [
    'Sub-folders become classes; folders named train, validation (val, valid) and test become splits.',
    'With --labels, a row names its file by its path relative to the folder (or the folder above it,',
    'or the CSV), or by a file name unique among the images; an id without extension matches the',
    'name without it. Rows naming no file, repeated rows and empty labels are reported and skipped;',
    'a file whose rows disagree stays unlabelled, as a label conflict.',
    'example: lds import ./train --labels ./labels.csv --label-column breed',
  ],
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('name at least one folder to import');
    const fraction = (n: number): boolean => n >= 0 && n <= 0.9;
    const valFraction = numberOption(ctx.values, 'val-fraction', fraction, 'a fraction from 0 to 0.9');
    const testFraction = numberOption(ctx.values, 'test-fraction', fraction, 'a fraction from 0 to 0.9');
    const seed = numberOption(ctx.values, 'seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
    const paths = ctx.positionals.map((p) => resolve(ctx.cwd, p));
    const labels = labelsOption(ctx.values, ctx.cwd);
    if (labels) {
      // Before the project is created too: a labels file that cannot be used stops the import here.
      const columns = await ctx.engine.call('library.csvColumns', labels);
      if (columns.error) throw new EngineError('invalid_input', columns.error);
    }
    // Before the project is created: a mistyped folder must not leave an empty workspace behind.
    for (const path of paths) {
      await checkUserPath(path, 'import');
      if (!(await statBounded(path))) throw new EngineError('invalid_input', `cannot import ${path}: no such folder or file`);
    }
    // The parser already refused a value outside RESIZE_MODES.
    const resizeMode = ctx.values['resize-mode'] as ResizeMode | undefined;
    const project = await ctx.openProject({ create: true, ...(resizeMode ? { resizeMode } : {}) });
    if (resizeMode && project.resizeMode !== resizeMode)
      throw new EngineError(
        'invalid_input',
        `${project.dir} was created with --resize-mode ${project.resizeMode}; a project keeps the mode its runs were trained with (import into a new workspace for ${resizeMode})`,
      );
    ctx.err(`importing into ${project.dir}`);
    const job = await ctx.runJob(() =>
      ctx.engine.call('library.import', { paths, valFraction, testFraction, seed, ...(labels ? { labels } : {}) }),
    );
    if (job.status === 'failed') throw new Error(`import failed: ${job.error ?? 'unknown error'}`);
    const result = job.result as ImportResult | null;
    if (!result) throw new Error('import was cancelled before it started');
    for (const s of result.skipped) ctx.err(`skipped ${s.path}: ${s.reason}`);
    for (const line of reportLines(result.edited, result.conflicts)) ctx.out(line);
    if (result.labels) for (const line of csvReportLines(result.labels)) ctx.out(line);
    ctx.out(
      `${result.cancelled ? 'cancelled after' : 'done:'} ${result.scanned} files scanned, ${result.added} new images, ` +
        `${result.duplicates} duplicates, ${result.unchanged} unchanged, ${result.skipped.length} skipped` +
        `${result.edited.length ? `, ${result.edited.length} edited in place` : ''}${result.recovered ? `, ${result.recovered} readable again` : ''}` +
        `${result.missing ? `, ${result.missing} gone` : ''}${result.conflicts.length ? `, ${result.conflicts.length} label conflicts` : ''}`,
    );
    if (ctx.json) ctx.printJson(result);
    return result.cancelled ? 130 : 0;
  },
});

function labelsOption(values: OptionValues, cwd: string): CsvLabelsOptions | undefined {
  const file = values.labels;
  const column = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (typeof file !== 'string') {
    const stray = ['path-column', 'label-column', 'split-column'].find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} goes with --labels FILE.csv`);
    return undefined;
  }
  const [pathColumn, labelColumn, splitColumn] = [column('path-column'), column('label-column'), column('split-column')];
  if (pathColumn?.trim() === '' || labelColumn?.trim() === '') throw new UsageError('a column name cannot be empty');
  return {
    file: resolve(cwd, file),
    ...(pathColumn ? { pathColumn } : {}),
    ...(labelColumn ? { labelColumn } : {}),
    // An empty name: the CSV's split column is not to be used.
    ...(splitColumn !== undefined ? { splitColumn: splitColumn.trim() || null } : {}),
  };
}

/** What the import did with the CSV: the columns used, the counts, then each odd row with its line. */
function csvReportLines(r: CsvLabelsReport): string[] {
  const counts = Object.entries(r.problemCounts).filter(([, n]) => n > 0);
  const lines = [
    `labels from ${r.file}: columns "${r.columns.path}" (file), "${r.columns.label}" (label)${r.columns.split ? `, "${r.columns.split}" (split)` : ''}` +
      `${r.ignoredColumns.length ? `; not used: ${r.ignoredColumns.map((c) => `"${c}"`).join(', ')}` : ''}`,
    `${r.rows} rows: ${r.labelled} images labelled, ${r.split} placed in a split, ${r.unlisted} images without a row` +
      `${counts.length ? `; ${counts.map(([k, n]) => `${n} ${k.replace('_', ' ')}`).join(', ')}` : ''}`,
    ...r.problems.map((p) => `${r.file}:${p.line}: ${p.message}`),
  ];
  const shown = r.problems.length;
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  if (total > shown) lines.push(`… and ${total - shown} more rows like these`);
  return lines;
}
