import { availableParallelism } from 'node:os';
import type { DoctorReport } from '@shared/contract/training';
import type { FromWorker } from '../protocol/worker-protocol';
import type { TrainingProcess } from './launcher';
import { describeExit, superviseProcess, TrainingError } from './supervise-process';

/** Asks a fresh training process which backend it would use and why (never loads tfjs-node here). */
export async function doctorVia(child: TrainingProcess, backend: string | null, featureCacheBytes: number | null): Promise<DoctorReport> {
  let report = null as Extract<FromWorker, { type: 'backend' }>['report'] | null;
  const end = await superviseProcess(child, {
    start: { type: 'doctor', backend },
    onMessage: (m) => {
      if (m.type === 'backend') report ??= m.report;
    },
  });
  if (report) return { ...report, cores: availableParallelism(), featureCacheBytes };
  if (end.failure) throw new TrainingError('invalid_input', end.failure);
  throw new TrainingError('failed', `the training process ${describeExit(end.code, end.signal)} before reporting its backend`);
}
