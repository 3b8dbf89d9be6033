import { fromWorkerSchema, type FromWorker, type ToWorker } from '../protocol/worker-protocol';
import type { TrainingProcess } from './launcher';

/** How long a cancelled training process gets to stop at its next checkpoint before it is killed. */
export const CANCEL_GRACE_MS = 15_000;

export class TrainingError extends Error {
  constructor(
    readonly code: 'invalid_input' | 'not_found' | 'conflict' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** How a supervised process ended. */
export interface ProcessEnd {
  code: number | null;
  signal: string | null;
  /** It reported cancelling, or the caller's signal aborted. */
  cancelled: boolean;
  /** Its own last error message, or why it was killed (an invalid message); null when it said nothing. */
  failure: string | null;
}

export interface SuperviseOptions {
  /** Sent once the process says it is ready. */
  start: ToWorker;
  /** Every message, validated. */
  onMessage?(message: FromWorker): void;
  /** Aborting asks the process to stop, then kills it after graceMs. */
  signal?: AbortSignal;
  graceMs?: number;
}

/**
 * Watches one training process from ready to exit: the one place that validates what it says, asks
 * it to cancel and kills it when it cannot. An invalid message is a bug on the other side: the
 * process is killed so the caller fails instead of hanging. Resolves on exit, whatever ended it.
 */
export function superviseProcess(child: TrainingProcess, options: SuperviseOptions): Promise<ProcessEnd> {
  const { signal } = options;
  let cancelled = false;
  let failure: string | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  const onAbort = (): void => {
    child.send({ type: 'cancel' });
    // A process stuck in one long kernel cannot answer; it gets a grace period, then SIGKILL.
    killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? CANCEL_GRACE_MS);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  child.onMessage((raw) => {
    const parsed = fromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      failure = `training process sent an invalid message: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
      child.kill('SIGKILL');
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') child.send(options.start);
    else if (message.type === 'cancelled') cancelled = true;
    else if (message.type === 'error') failure = message.message;
    options.onMessage?.(message);
  });
  return new Promise((resolve) =>
    child.onExit((code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal: exitSignal, cancelled: cancelled || Boolean(signal?.aborted), failure });
    }),
  );
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal === 'SIGKILL') return 'training process was killed (SIGKILL): out of memory, or killed by the user or the system';
  if (signal) return `training process ended by signal ${signal}`;
  return `training process exited with code ${code ?? 'unknown'} before finishing`;
}
