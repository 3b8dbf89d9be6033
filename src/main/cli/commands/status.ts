import type { StatusSummary } from '@shared/contract';
import { defineCommand } from '../command';

const SPLIT_COLUMNS = ['train', 'validation', 'test', 'unassigned'] as const;

function table(status: StatusSummary): string[] {
  const names = status.classes.map((c) => c.name);
  const width = Math.max(10, ...names.map((n) => n.length));
  const row = (label: string, cells: Array<number | string>): string =>
    `${label.padEnd(width)}  ${cells.map((c) => ` ${String(c).padStart(11)}`).join('')}`;
  return [
    row('class', [...SPLIT_COLUMNS, 'total']),
    ...status.classes.map((c) => row(c.name, [...SPLIT_COLUMNS.map((s) => c.splits[s] ?? 0), c.count])),
    row('(all)', [...SPLIT_COLUMNS.map((s) => status.splits[s]), status.images]),
    '',
    `${status.images} images, ${status.classes.length} classes; unlabelled ${status.unlabelled}, predicted ${status.predicted}, ` +
      `missing ${status.missing}, corrupt ${status.corrupt}, damaged ${status.damaged}, duplicates ${status.duplicates}, label conflicts ${status.conflicts}`,
    ...(status.conflicts
      ? [`label conflicts: ${status.conflicts} pictures sit under two class folders and stay unlabelled until you label them`]
      : []),
  ];
}

export default defineCommand({
  async run(ctx) {
    await ctx.openProject();
    const status = await ctx.engine.call('library.status', {});
    // Near-duplicates across splits (perceptual hash, cached per image): added, never replacing a field.
    const leaks = (await ctx.engine.call('health.check', {})).leaks;
    if (ctx.json) ctx.printJson({ ...status, leaks: leaks.length, leakPairs: leaks });
    else for (const line of table(status)) ctx.out(line);
    if (!ctx.json && leaks.length)
      ctx.out(
        `leaks: ${leaks.length} near-duplicate pairs across splits (e.g. images ${leaks[0]?.a} and ${leaks[0]?.b}): validation scores are inflated`,
      );
  },
});
