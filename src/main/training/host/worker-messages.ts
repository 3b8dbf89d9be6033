import type { TrainingProcess } from './launcher';
import { fromWorkerSchema, type FromWorker } from '../protocol/worker-protocol';

/**
 * Feeds a training process's messages to `handle`, validated. An invalid one is a bug on the other
 * side: the process is killed and `onInvalid` gets the reason, so the job fails instead of hanging.
 */
export function onWorkerMessage(child: TrainingProcess, handle: (message: FromWorker) => void, onInvalid: (reason: string) => void): void {
  child.onMessage((raw) => {
    const parsed = fromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      onInvalid(`training process sent an invalid message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      child.kill('SIGKILL');
      return;
    }
    handle(parsed.data);
  });
}
