import type { EventPayload, JobInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { JobProgress } from './job-progress.svelte';
import { notices } from './notices.svelte';

export type FinishedJob = EventPayload<'job.finished'>;

/** Every job the engine runs, kept current from job.progress / job.finished events. */
class JobsManager {
  jobs = $state<JobInfo[]>([]);
  readonly running = $derived(this.jobs.filter((j) => j.status === 'running'));
  readonly #finished = new Map<string, FinishedJob>();
  readonly #progress = new JobProgress();
  /** Kinds whose failures a view on screen shows in place (no toast repeating the same words). */
  readonly #shownInPlace = new Map<string, number>();
  readonly #waiters = new Map<string, ((job: FinishedJob) => void)[]>();
  #started = false;

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const api = getApi();
    api.on('job.progress', (job) => this.#upsert(job));
    api.on('job.finished', (job) => {
      this.#upsert(job);
      this.#finished.set(job.id, job);
      // The top bar's chip vanishes when a job ends; a failure must not vanish with it.
      if (job.status === 'failed' && !this.#shownInPlace.get(job.kind))
        notices.show(`${job.label} failed: ${job.error ?? 'unknown error'}`, 'error');
      for (const resolve of this.#waiters.get(job.id) ?? []) resolve(job);
      this.#waiters.delete(job.id);
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.jobs = await getApi().invoke('jobs.list', {});
    } catch {
      // No engine yet (connecting); the next event fills the list.
    }
  }

  /** Resolves with the job's final state and result, even if it finished before the call. */
  whenFinished(id: string): Promise<FinishedJob> {
    const done = this.#finished.get(id);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(resolve);
      this.#waiters.set(id, list);
    });
  }

  /** The percent a bar shows for the job: never less than it showed before; null while unknown. */
  percent(id: string): number | null {
    return this.#progress.percent(id);
  }

  /** A view that shows failures of this kind of job in place holds this while it is on screen. */
  showFailuresInPlace(kind: string): () => void {
    this.#shownInPlace.set(kind, (this.#shownInPlace.get(kind) ?? 0) + 1);
    return () => this.#shownInPlace.set(kind, Math.max(0, (this.#shownInPlace.get(kind) ?? 0) - 1));
  }

  get(id: string): JobInfo | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  async cancel(id: string): Promise<void> {
    await getApi().invoke('jobs.cancel', { id });
  }

  #upsert(job: JobInfo): void {
    this.#progress.update(job);
    const info: JobInfo = {
      id: job.id,
      kind: job.kind,
      label: job.label,
      status: job.status,
      done: job.done,
      total: job.total,
      message: job.message,
      startedAt: job.startedAt,
      error: job.error,
    };
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index === -1) this.jobs = [...this.jobs, info];
    else this.jobs[index] = info;
  }
}

export const jobs = new JobsManager();
