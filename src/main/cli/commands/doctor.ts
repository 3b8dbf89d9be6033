import { defineCommand } from '../command';

export default defineCommand({
  usage: 'doctor [--backend NAME] [--bench] [--json]',
  options: { backend: { type: 'string' }, bench: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.values.bench) {
      // In this process: the bench needs the backend active here, and the training process has no bench message.
      const { benchInThisProcess } = await import('../../training/worker/doctor-bench-here');
      const backend = (ctx.values.backend as string | undefined) ?? process.env.LDS_BACKEND ?? null;
      const bench = await benchInThisProcess(ctx.engine.options.resourcesDir, { backend, onProgress: (m) => ctx.err(`bench: ${m}`) });
      if (!ctx.json) {
        ctx.err(
          `${bench.backend}, ${bench.threads} thread(s): features ${bench.featureImagesPerSecond ?? '–'} img/s, ` +
            `scratch step ${bench.scratchStepSeconds} s, gradient check max error ${bench.gradientCheckMaxError.toExponential(2)}`,
        );
      }
      if (ctx.json) ctx.printJson(bench);
      else ctx.out(JSON.stringify(bench));
      return;
    }
    // The doctor needs no project (an empty --workspace folder is fine); with one it also reports the feature cache size.
    await ctx.openProjectIfAny();
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
