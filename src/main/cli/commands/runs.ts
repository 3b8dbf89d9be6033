import { defineCommand } from '../command';

export default defineCommand({
  async run(ctx) {
    await ctx.openProject();
    const runs = await ctx.engine.call('runs.list', {});
    const rows = runs.map((r) => ({
      id: r.id,
      mode: r.mode,
      status: r.status,
      backend: r.backend,
      backbone: r.backboneId,
      parentRun: r.parentRun,
      epochs: r.epochs,
      valAccuracy: r.valAccuracy,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
      error: r.error,
      modelDir: r.modelDir,
      metrics: r.metrics,
      config: r.config,
    }));
    if (ctx.json) {
      ctx.printJson({ runs: rows });
      return;
    }
    if (!rows.length) {
      ctx.out('no runs yet: try `lds train --mode auto`');
      return;
    }
    for (const r of rows) {
      const acc = r.valAccuracy === null ? '-' : `${(r.valAccuracy * 100).toFixed(1)}%`;
      ctx.out(
        `${r.id}  ${r.mode.padEnd(10)} ${r.status.padEnd(9)} val ${acc.padStart(6)}  ${r.epochs.length} epochs  ${r.backend ?? ''}${r.error ? `  ${r.error}` : ''}`,
      );
    }
  },
});
