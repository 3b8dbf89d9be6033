import { defineCommand, DEVICE_OPTION } from '../command';

export default defineCommand({
  options: {
    backend: {
      type: 'string',
      value: 'NAME',
      description: 'the TensorFlow.js backend to check',
      default: 'LDS_BACKEND, else the fastest available',
    },
    device: { ...DEVICE_OPTION.device, description: 'the forward engine device to check' },
    bench: {
      type: 'boolean',
      description: 'also time feature extraction (TF.js and the forward engine), a scratch step and check the gradients',
    },
  },
  async run(ctx) {
    if (ctx.values.bench) {
      // In this process: the bench needs the backend active here, and the training process has no bench message.
      const { benchInThisProcess } = await import('../../training/worker/doctor-bench-here');
      const backend = (ctx.values.backend as string | undefined) ?? process.env.LDS_BACKEND ?? null;
      const device = (ctx.values.device as string | undefined) ?? null;
      const bench = await benchInThisProcess(ctx.engine.options.resourcesDir, {
        backend,
        device,
        onProgress: (m) => ctx.err(`bench: ${m}`),
      });
      if (!ctx.json) {
        ctx.err(
          `${bench.backend}, ${bench.threads} thread(s): features ${bench.featureImagesPerSecond ?? '–'} img/s, ` +
            `scratch step ${bench.scratchStepSeconds} s, gradient check max error ${bench.gradientCheckMaxError.toExponential(2)}`,
        );
        if (bench.forward)
          ctx.err(
            `forward engine ${bench.forward.engine}${bench.forward.provider ? ` on ${bench.forward.provider}` : ''}: ` +
              `${bench.forward.imagesPerSecond} img/s (batches of 16, decode excluded)`,
          );
      }
      if (ctx.json) ctx.printJson(bench);
      else ctx.out(JSON.stringify(bench));
      return;
    }
    // The doctor needs no project (an empty --workspace folder is fine); with one it also reports the feature cache size.
    await ctx.openProjectIfAny();
    const report = await ctx.engine.call('system.doctor', {
      backend: ctx.values.backend as string | undefined,
      device: ctx.values.device as string | undefined,
    });
    if (ctx.json) {
      ctx.printJson(report);
      return;
    }
    ctx.out(
      `active backend: ${report.active} (tfjs ${report.tfjsVersion}, ${report.threads} thread(s) of ${report.cores} cores${report.simd === null ? '' : `, SIMD ${report.simd ? 'on' : 'off'}`})`,
    );
    for (const c of report.candidates) ctx.out(`  ${c.name.padEnd(9)} ${c.state.padEnd(11)} ${c.reason ?? ''}`);
    if (report.enableFaster) ctx.out(`faster: ${report.enableFaster}`);
    const forward = report.forward;
    if (forward) {
      ctx.out(
        `forward engine: ${forward.engine}${forward.provider ? ` on ${forward.provider}` : ''} (device ${report.device ?? 'auto'}) — ${forward.reason}`,
      );
      for (const p of forward.providers) ctx.out(`  ${p.name.padEnd(9)} ${p.state.padEnd(11)} ${p.detail}`);
      if (forward.unsupported)
        ctx.out(`  not converted: layer ${forward.unsupported.layer} (${forward.unsupported.className}): ${forward.unsupported.reason}`);
      // Why two engines: tfjs-node-gpu is tied to CUDA 11.2 / cuDNN 8.1, ONNX Runtime's CUDA provider to CUDA 12.
      ctx.out(
        '  GPU training needs tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1); forward passes reach GPUs through ONNX Runtime without CUDA 11 (DirectML, CoreML, CUDA 12).',
      );
    }
    if (report.featureCacheBytes !== null) ctx.out(`feature cache: ${(report.featureCacheBytes / 1e6).toFixed(1)} MB`);
  },
});
