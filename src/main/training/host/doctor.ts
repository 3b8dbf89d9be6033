import { availableParallelism } from 'node:os';
import type { DoctorReport } from '@shared/contract/training';
import type { BackboneSpec } from '../backbones/backbone-spec';
import type { FromWorker } from '../protocol/worker-protocol';
import type { TrainingProcess } from './launcher';
import { describeExit, superviseProcess, TrainingError } from './supervise-process';

/**
 * Asks a fresh training process which backend it would use and why (never loads tfjs-node here).
 * forward: the device to report on, and the backbone whose ONNX conversion doctor checks (and caches).
 */
export async function doctorVia(
  child: TrainingProcess,
  backend: string | null,
  featureCacheBytes: number | null,
  forward: { device: string | null; backbone: BackboneSpec | null; featuresDir: string | null } = {
    device: null,
    backbone: null,
    featuresDir: null,
  },
): Promise<DoctorReport> {
  let answer = null as Extract<FromWorker, { type: 'backend' }> | null;
  const end = await superviseProcess(child, {
    start: { type: 'doctor', backend, ...forward },
    onMessage: (m) => {
      if (m.type === 'backend') answer ??= m;
    },
  });
  if (answer) return { ...answer.report, cores: availableParallelism(), featureCacheBytes, forward: answer.forward ?? null };
  if (end.failure) throw new TrainingError('invalid_input', end.failure);
  throw new TrainingError('failed', `the training process ${describeExit(end.code, end.signal)} before reporting its backend`);
}
