/**
 * Main's side of predict / k-fold / export: one fresh training process per job, so TensorFlow.js never
 * runs in main (under Electron that is the window's process) and a crash in it fails only the job.
 * Uses the same launcher as training, so the desktop app's utilityProcess launcher serves both.
 */
import type { ComputeMessage, ComputeResult } from '../protocol/worker-protocol';
import type { TrainingProcessLauncher } from './launcher';
import { describeExit, superviseProcess } from './supervise-process';

/** The answer each compute message gets. */
export interface ComputeAnswers {
  predict: Extract<ComputeResult, { type: 'predicted' }>;
  kfold: Extract<ComputeResult, { type: 'kfold-done' }>;
  export: Extract<ComputeResult, { type: 'exported' }>;
  map: Extract<ComputeResult, { type: 'map-done' }>;
  explain: Extract<ComputeResult, { type: 'explained' }>;
}
const ANSWER: { [K in keyof ComputeAnswers]: ComputeAnswers[K]['type'] } = {
  predict: 'predicted',
  kfold: 'kfold-done',
  export: 'exported',
  map: 'map-done',
  explain: 'explained',
};

export interface ComputeOptions {
  progress?(done: number, total: number, message: string): void;
  /** Aborting asks the process to stop at its next checkpoint, then kills it after a grace period. */
  signal?: AbortSignal;
}

/** Runs one compute message in a fresh training process; rejects with the reason when it fails or dies. */
export function runInTrainingProcess<M extends ComputeMessage>(
  launcher: TrainingProcessLauncher,
  message: M,
  options: ComputeOptions = {},
): Promise<ComputeAnswers[M['type']]> {
  if (options.signal?.aborted) return Promise.reject(new Error('cancelled'));
  const expected = ANSWER[message.type];
  // The answer settles the promise at once; the exit settles it only when no answer came.
  return new Promise((resolve, reject) => {
    superviseProcess(launcher.launch(), {
      start: message,
      signal: options.signal,
      onMessage: (m) => {
        if (m.type === 'job-progress') options.progress?.(m.done, m.total, m.message);
        else if (m.type === 'cancelled') reject(new Error('cancelled'));
        else if (m.type === expected) resolve(m as ComputeAnswers[M['type']]);
      },
    }).then((end) => reject(end.cancelled ? new Error('cancelled') : new Error(end.failure ?? describeExit(end.code, end.signal))));
  });
}
