import { defineCommand } from '../command';

export default defineCommand({
  usage: 'doctor [--backend NAME] [--json]',
  options: { backend: { type: 'string' } },
  async run(ctx) {
    // The doctor works without a project; with one open it also reports the feature cache size.
    if (ctx.workspaceGiven) await ctx.openProject();
    const report = await ctx.engine.call('system.doctor', { backend: ctx.values.backend as string | undefined });
    if (ctx.json) {
      ctx.printJson(report);
      return;
    }
    ctx.out(`active backend: ${report.active} (tfjs ${report.tfjsVersion}, ${report.threads} thread(s) of ${report.cores} cores${report.simd === null ? '' : `, SIMD ${report.simd ? 'on' : 'off'}`})`);
    for (const c of report.candidates) ctx.out(`  ${c.name.padEnd(9)} ${c.state.padEnd(11)} ${c.reason ?? ''}`);
    if (report.enableFaster) ctx.out(`faster: ${report.enableFaster}`);
    if (report.featureCacheBytes !== null) ctx.out(`feature cache: ${(report.featureCacheBytes / 1e6).toFixed(1)} MB`);
  },
});
