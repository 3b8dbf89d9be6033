import type { EventArgs } from '@shared/contract';

export type ProgressMode = 'normal' | 'indeterminate' | 'error' | 'none';

/** win.setProgressBar, narrowed: value in [0, 1], or -1 with mode 'none' to clear. */
export type SetProgress = (value: number, mode: ProgressMode) => void;

/**
 * One taskbar/dock progress for all running jobs: the sum of their done over the sum of their
 * totals; indeterminate while a running job has no total yet; cleared when the last one ends.
 */
export class TaskbarProgress {
  readonly #running = new Map<string, { done: number; total: number }>();
  #last = '';

  constructor(private readonly setProgress: SetProgress) {}

  onEvent(...[event, job]: EventArgs): void {
    if (event !== 'job.progress' && event !== 'job.finished') return;
    if (event === 'job.finished' || job.status !== 'running') this.#running.delete(job.id);
    else this.#running.set(job.id, { done: job.done, total: job.total });
    this.#render();
  }

  #render(): void {
    let value = -1;
    let mode: ProgressMode = 'none';
    if (this.#running.size > 0) {
      let done = 0;
      let total = 0;
      let unknown = false;
      for (const job of this.#running.values()) {
        if (!(job.total > 0)) unknown = true;
        done += Math.min(job.done, job.total);
        total += Math.max(job.total, 0);
      }
      if (unknown || total === 0) {
        value = 2;
        mode = 'indeterminate';
      } else {
        value = Math.max(0, Math.min(1, done / total));
        mode = 'normal';
      }
    }
    // Progress events arrive up to ~10/s per job; the OS only needs to hear about visible changes.
    const key = `${mode}:${value.toFixed(3)}`;
    if (key === this.#last) return;
    this.#last = key;
    this.setProgress(value, mode);
  }
}
