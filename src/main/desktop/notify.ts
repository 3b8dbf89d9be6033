import { isEventName, type EventName } from '@shared/contract';

export interface FinishedRun {
  title: string;
  body: string;
}

export interface RunNotifierOptions {
  /** Hidden, minimised or not focused: the user is not looking at the studio. */
  isWindowHidden: () => boolean;
  show: (notice: FinishedRun) => void;
}

function describe(status: unknown, label: string, error: unknown, valAccuracy?: unknown): FinishedRun {
  if (status === 'succeeded') {
    const acc = typeof valAccuracy === 'number' ? ` — validation accuracy ${(valAccuracy * 100).toFixed(1)} %` : '';
    return { title: 'Training finished', body: `${label}${acc}` };
  }
  if (status === 'cancelled') return { title: 'Training cancelled', body: label };
  return { title: 'Training failed', body: typeof error === 'string' && error ? `${label}: ${error}` : label };
}

function record(payload: unknown): Record<string, unknown> {
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
}

/**
 * Tells the user a training run ended while they were elsewhere. Listens to run.finished when the
 * contract has it, else to job.finished of kind 'train' (never both, or each run would ping twice).
 */
export class RunFinishedNotifier {
  readonly #useRunEvent = isEventName('run.finished');

  constructor(private readonly options: RunNotifierOptions) {}

  onEvent(event: EventName, payload: unknown): void {
    const data = record(payload);
    let notice: FinishedRun | null = null;
    if (this.#useRunEvent && (event as string) === 'run.finished') {
      const summary = record(data.summary);
      const label = typeof data.label === 'string' ? data.label : `Run ${String(data.runId ?? data.id ?? '')}`.trim();
      notice = describe(data.status, label, data.error, data.valAccuracy ?? summary.valAccuracy);
    } else if (!this.#useRunEvent && event === 'job.finished' && data.kind === 'train') {
      const result = record(data.result);
      notice = describe(data.status, String(data.label ?? 'Training run'), data.error, result.valAccuracy);
    }
    if (notice && this.options.isWindowHidden()) this.options.show(notice);
  }
}
