import type { RescanResult } from '../../import';
import { defineCommand } from '../command';
import { reportLines } from '../report-lines';

export default defineCommand({
  async run(ctx) {
    await ctx.openProject();
    const job = await ctx.runJob(() => ctx.engine.call('library.rescan', {}));
    if (job.status === 'failed') throw new Error(`rescan failed: ${job.error ?? 'unknown error'}`);
    const result = job.result as RescanResult | null;
    if (!result) throw new Error('rescan was cancelled before it started');
    for (const line of reportLines(result.edited, result.conflicts)) ctx.out(line);
    ctx.out(
      `${result.checked} files checked: ${result.missing} newly missing, ${result.restored} back, ${result.changed} changed` +
        `${result.edited.length ? `, ${result.edited.length} edited in place` : ''}${result.recovered ? `, ${result.recovered} readable again` : ''}` +
        `${result.conflicts.length ? `, ${result.conflicts.length} label conflicts` : ''}`,
    );
    if (ctx.json) ctx.printJson(result);
    return result.cancelled ? 130 : 0;
  },
});
