/**
 * Main's side of predict / k-fold / export: one fresh training process per job, so TensorFlow.js never
 * runs in main (under Electron that is the window's process) and a crash in it fails only the job.
 * Uses the same launcher as training, so the desktop app's utilityProcess launcher serves both.
 */
import type { TrainingProcess, TrainingProcessLauncher } from './launcher';
import type { ComputeMessage, ComputeResult } from '../protocol/worker-protocol';
import { describeExit } from './run-manager';
import { onWorkerMessage } from './worker-messages';

/** The answer each compute message gets. */
export interface ComputeAnswers {
  predict: Extract<ComputeResult, { type: 'predicted' }>;
  kfold: Extract<ComputeResult, { type: 'kfold-done' }>;
  export: Extract<ComputeResult, { type: 'exported' }>;
}
const ANSWER: { [K in keyof ComputeAnswers]: ComputeAnswers[K]['type'] } = { predict: 'predicted', kfold: 'kfold-done', export: 'exported' };

export class ComputeCancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface ComputeOptions {
  progress?(done: number, total: number, message: string): void;
  /** Aborting asks the process to stop at its next checkpoint, then kills it after cancelGraceMs. */
  signal?: AbortSignal;
  cancelGraceMs?: number;
  /** Sees the process once started (tests kill it to prove a crash only fails the job). */
  onProcess?(process: TrainingProcess): void;
}

/** Runs one compute message in a fresh training process; rejects with the reason when it fails or dies. */
export function runInTrainingProcess<M extends ComputeMessage>(launcher: TrainingProcessLauncher, message: M, options: ComputeOptions = {}): Promise<ComputeAnswers[M['type']]> {
  if (options.signal?.aborted) return Promise.reject(new ComputeCancelledError());
  const child = launcher.launch();
  options.onProcess?.(child);
  const expected = ANSWER[message.type];
  return new Promise((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    let failure: string | null = null;
    const settle = (error: Error | null, result?: ComputeAnswers[M['type']]): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (error) reject(error);
      else resolve(result as ComputeAnswers[M['type']]);
    };
    const onAbort = (): void => {
      child.send({ type: 'cancel' });
      // A process stuck in one long kernel cannot answer; it gets a grace period, then SIGKILL.
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.cancelGraceMs ?? 10_000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    onWorkerMessage(
      child,
      (m) => {
        if (m.type === 'ready') child.send(message);
        else if (m.type === 'job-progress') options.progress?.(m.done, m.total, m.message);
        else if (m.type === 'error') failure = m.message;
        else if (m.type === 'cancelled') settle(new ComputeCancelledError());
        else if (m.type === expected) settle(null, m as ComputeAnswers[M['type']]);
      },
      (reason) => {
        failure = reason;
      },
    );
    child.onExit((code, signal) => {
      if (options.signal?.aborted) settle(new ComputeCancelledError());
      settle(new Error(failure ?? describeExit(code, signal)));
    });
  });
}
