import type { BackboneSpec } from '../backbones/backbone-spec';
import { loadBackbone } from '../backbones/backbones';
import type { ForwardReport } from '../protocol/worker-protocol';
import { parseDevice, selectExecutionProvider } from './execution-provider';
import { createForward } from './forward-service';
import { loadOrtRuntime, probeProviders } from './ort-probe';

/**
 * What doctor says about forward passes: the provider ONNX Runtime would use and why, and, given a
 * backbone (the project's default), whether it converts; the graph is cached, so the run after a
 * doctor starts at once.
 */
export async function forwardDoctor(options: {
  device: string | null;
  backbone: BackboneSpec | null;
  featuresDir: string | null;
}): Promise<ForwardReport> {
  const device = parseDevice(options.device ?? process.env.LDS_DEVICE ?? null);
  const forced = device === 'auto' ? null : device;
  const loaded = loadOrtRuntime();
  if ('error' in loaded) {
    return {
      engine: 'tfjs',
      provider: null,
      forced,
      reason: `TF.js: onnxruntime-node failed to load (${loaded.error})`,
      providers: [],
      onnxruntimeVersion: null,
      backbone: options.backbone?.id ?? null,
      unsupported: null,
    };
  }
  const choice = selectExecutionProvider({ platform: process.platform, probes: probeProviders(loaded.runtime), device });
  const base: ForwardReport = {
    engine: 'onnxruntime',
    provider: choice.provider,
    forced,
    reason: `onnxruntime ${loaded.runtime.version} on ${choice.provider}: ${choice.reason}`,
    providers: choice.providers,
    onnxruntimeVersion: loaded.runtime.version,
    backbone: null,
    unsupported: null,
  };
  if (!options.backbone || process.env.LDS_FORWARD === 'tfjs') {
    return process.env.LDS_FORWARD === 'tfjs'
      ? { ...base, engine: 'tfjs', provider: null, reason: 'TF.js forced (LDS_FORWARD=tfjs)' }
      : base;
  }
  const backbone = await loadBackbone(options.backbone);
  try {
    const forward = createForward({ deviceName: options.device, featuresDir: options.featuresDir });
    const engine = await forward.open(backbone.model, backbone.spec.featureLayer);
    await engine.dispose();
    const report = forward.reports[0]!;
    return {
      ...base,
      engine: report.engine,
      provider: report.provider,
      reason: `${backbone.spec.id}: ${report.reason}`,
      providers: report.providers.length ? report.providers : base.providers,
      backbone: backbone.spec.id,
      unsupported: report.unsupported,
    };
  } finally {
    backbone.dispose();
  }
}
