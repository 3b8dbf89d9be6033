import type { Curve, EpochPoint } from './result';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** One epoch record in whichever spelling the CLI uses (valAcc / val_acc / valAccuracy ...). */
export function toEpochPoint(raw: unknown, index: number): EpochPoint | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const first = (...keys: string[]): number | null => {
    for (const k of keys) {
      const v = num(r[k]);
      if (v != null) return v;
    }
    return null;
  };
  return {
    epoch: first('epoch') ?? index + 1,
    loss: first('loss', 'trainLoss'),
    acc: first('acc', 'accuracy', 'trainAcc', 'trainAccuracy'),
    valLoss: first('valLoss', 'val_loss', 'validationLoss'),
    valAcc: first('valAcc', 'val_acc', 'valAccuracy', 'validationAccuracy'),
    seconds: first('seconds', 'secs', 'durationSeconds'),
  };
}

/** The per-epoch metrics of a run object: `epochs`, `history` or `metrics` holding an array. */
export function curveOfRun(run: Record<string, unknown>, label: string): Curve | null {
  const list = [run.epochs, run.history, run.metrics, run.epochMetrics].find(Array.isArray) as unknown[] | undefined;
  if (!list?.length) return null;
  const epochs = list.map(toEpochPoint).filter((p): p is EpochPoint => p != null);
  if (!epochs.length) return null;
  return { label, mode: typeof run.mode === 'string' ? run.mode : label, epochs };
}

/** Finds the run with this id in `lds runs --json` output ({runs:[...]} or a bare array in some key). */
export function findRun(runsJson: Record<string, unknown> | null, runId: string): Record<string, unknown> | null {
  if (!runsJson) return null;
  const lists = Object.values(runsJson).filter(Array.isArray) as unknown[][];
  for (const list of lists) {
    for (const run of list) {
      if (
        run &&
        typeof run === 'object' &&
        String((run as Record<string, unknown>).id ?? (run as Record<string, unknown>).runId) === runId
      ) {
        return run as Record<string, unknown>;
      }
    }
  }
  return null;
}

/**
 * `lds train` prints one line per epoch on stderr:
 * "epoch 3: loss 0.2311 acc 91.2% val_loss 0.1800 val_acc 94.1% (1.20 s)" ("-" where a value is missing).
 * The curves come from there when `lds runs --json` carries no per-epoch data.
 */
export function parseEpochLines(stderr: string): EpochPoint[] {
  const points: EpochPoint[] = [];
  const re = /^epoch (\d+): loss (\S+) acc (\S+?)%? val_loss (\S+) val_acc (\S+?)%? \((\S+) s\)/gm;
  const value = (text: string, percent: boolean): number | null => {
    const v = Number(text);
    return Number.isFinite(v) && text !== '-' ? (percent ? v / 100 : v) : null;
  };
  for (const m of stderr.matchAll(re)) {
    points.push({
      epoch: Number(m[1]),
      loss: value(m[2]!, false),
      acc: value(m[3]!, true),
      valLoss: value(m[4]!, false),
      valAcc: value(m[5]!, true),
      seconds: value(m[6]!, false),
    });
  }
  return points;
}
