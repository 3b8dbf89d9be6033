import type { JobInfo } from '@shared/contract';
import type { Place } from './nav.svelte';

/**
 * What a job's bar shows, never less than it showed before: a job whose work grows as it goes (a
 * training run counts feature extraction, then epochs, in one done/total) would otherwise jump back,
 * 27% → 17%. Null while the total is unknown (the bar slides instead).
 */
export class JobProgress {
  readonly #shown = $state<Record<string, number>>({});

  /** Records the job's latest counts and answers the percent to show. */
  update(job: Pick<JobInfo, 'id' | 'done' | 'total' | 'status'>): number | null {
    if (job.status === 'succeeded') return (this.#shown[job.id] = 100);
    if (!(job.total > 0)) return this.#shown[job.id] ?? null;
    const now = Math.min(100, Math.max(0, Math.round((job.done / job.total) * 100)));
    const before = this.#shown[job.id] ?? 0;
    this.#shown[job.id] = Math.max(before, now);
    return this.#shown[job.id]!;
  }

  percent(id: string): number | null {
    return this.#shown[id] ?? null;
  }

  forget(id: string): void {
    delete this.#shown[id];
  }
}

/** Where the user follows a job of this kind: the job chip in the top bar goes there. */
export function placeOfJob(kind: string): Place {
  switch (kind) {
    case 'import':
    case 'rescan':
    case 'labels':
      return 'library';
    case 'train':
      return 'train';
    case 'backbone-download':
    case 'keras-h5':
    case 'tfjs-folder':
    case 'teachable-machine':
      return 'settings';
    default:
      // eval, prelabel, predict, kfold and anything newer: their results are under Runs.
      return 'runs';
  }
}
