import type { Forward } from '../../forward';
import type { EpochMetrics } from '../train-loop';
import type { FromWorker, ManifestItem, RunSummary, StartMessage } from '../../protocol/worker-protocol';

export type Phase = 'loading' | 'features' | 'training' | 'saving';

/** What a mode gets from the training process: the job, where to write, and how to report. */
export interface RunContext {
  start: StartMessage;
  /** Temp folder for the model; the process renames it to start.outDir on success. */
  modelDir: string;
  send(message: FromWorker): void;
  progress(phase: Phase, done: number, total: number, message: string, etaSeconds?: number | null): void;
  epoch(metrics: EpochMetrics): void;
  /** Yields to the event loop (so a cancel message can arrive) and throws if the run was cancelled. */
  checkpoint(): Promise<void>;
  /** The user asked to stop and keep the best model so far (runEpochs' shouldStop). */
  stopRequested?(): boolean;
  /** The backbone's forward passes: ONNX Runtime where the model converts, TF.js otherwise. */
  forward: Forward;
}

export type ModeResult = Omit<RunSummary, 'peakRssBytes' | 'numTensors' | 'forward' | 'notes'>;

export function splitItems(items: readonly ManifestItem[]): { train: ManifestItem[]; validation: ManifestItem[] } {
  return {
    train: items.filter((i) => i.split === 'train'),
    validation: items.filter((i) => i.split === 'validation'),
  };
}

/** Reports per-batch progress with an ETA from the average batch time so far. */
export function batchProgress(ctx: RunContext, epochs: number): (done: number, total: number, epoch: number) => void {
  const started = performance.now();
  return (done, total, epoch) => {
    const finished = (epoch - 1) * total + done;
    const all = epochs * total;
    const perBatch = (performance.now() - started) / 1000 / finished;
    ctx.progress('training', finished, all, `epoch ${epoch}/${epochs}, batch ${done}/${total}`, perBatch * (all - finished));
  };
}

export function summaryOf(
  epochs: EpochMetrics[],
  bestEpoch: number,
): Pick<ModeResult, 'epochs' | 'bestEpoch' | 'trainAccuracy' | 'valAccuracy' | 'valLoss' | 'secondsPerEpoch'> {
  const best = epochs.find((e) => e.epoch === bestEpoch) ?? epochs[epochs.length - 1];
  return {
    epochs: epochs.length,
    bestEpoch,
    trainAccuracy: best?.acc ?? null,
    valAccuracy: best?.valAcc ?? null,
    valLoss: best?.valLoss ?? null,
    secondsPerEpoch: epochs.length ? epochs.reduce((s, e) => s + e.seconds, 0) / epochs.length : null,
  };
}
