import type { RescanResult } from '../../import';
import { defineCommand } from '../command';

export default defineCommand({
  usage: 'rescan [--json]',
  async run(ctx) {
    await ctx.openProject();
    const job = await ctx.runJob(() => ctx.engine.call('library.rescan', {}));
    if (job.status === 'failed') throw new Error(`rescan failed: ${job.error ?? 'unknown error'}`);
    const result = job.result as RescanResult | null;
    if (!result) throw new Error('rescan was cancelled before it started');
    ctx.out(`${result.checked} files checked: ${result.missing} newly missing, ${result.restored} back, ${result.changed} changed`);
    if (ctx.json) ctx.printJson(result);
    return result.cancelled ? 130 : 0;
  },
});
