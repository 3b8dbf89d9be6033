import type { EventArgs, EventPayload } from '@shared/contract';

export interface FinishedRun {
  title: string;
  body: string;
}

export interface RunNotifierOptions {
  /** Hidden, minimised or not focused: the user is not looking at the studio. */
  isWindowHidden: () => boolean;
  show: (notice: FinishedRun) => void;
}

function describe({ runId, status, error, valAccuracy }: EventPayload<'run.finished'>): FinishedRun {
  const label = `Run ${runId}`;
  if (status === 'succeeded') {
    const acc = valAccuracy !== null ? ` — validation accuracy ${(valAccuracy * 100).toFixed(1)} %` : '';
    return { title: 'Training finished', body: `${label}${acc}` };
  }
  if (status === 'cancelled') return { title: 'Training cancelled', body: label };
  return { title: 'Training failed', body: error ? `${label}: ${error}` : label };
}

/** Tells the user a training run ended while they were elsewhere (run.finished; the job's own job.finished would ping twice). */
export class RunFinishedNotifier {
  constructor(private readonly options: RunNotifierOptions) {}

  onEvent(...[event, payload]: EventArgs): void {
    if (event === 'run.finished' && this.options.isWindowHidden()) this.options.show(describe(payload));
  }
}
