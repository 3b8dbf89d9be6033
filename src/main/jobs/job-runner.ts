import { randomUUID } from 'node:crypto';
import type { JobInfo } from '@shared/contract';
import type { EventBus } from '../engine/event-bus';

/** What a job's body gets: where to report, and how to learn it should stop. */
export interface JobContext {
  readonly signal: AbortSignal;
  /** Throttled: call as often as you like, the UI hears at most ~10 times a second. */
  progress(done: number, total: number, message?: string): void;
  /** Throws JobCancelledError when cancel was requested; call between units of work. */
  throwIfCancelled(): void;
}

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

export interface JobSpec<R> {
  kind: string;
  label: string;
  run(ctx: JobContext): Promise<R>;
  /** Runs after success, failure or cancel. */
  cleanup?(): void | Promise<void>;
}

interface JobState {
  info: JobInfo;
  controller: AbortController;
  lastEmit: number;
  pendingEmit: NodeJS.Timeout | null;
  promise: Promise<unknown>;
}

const PROGRESS_INTERVAL_MS = 100;
/** Finished jobs remembered for jobs.list; a long session would otherwise grow the list without end. */
const KEEP_FINISHED = 50;

/** Runs long work as jobs: an id at once, throttled progress, cancel, cleanup in finally. */
export class JobRunner {
  readonly #jobs = new Map<string, JobState>();
  /** Ids of finished jobs, oldest first. */
  readonly #finished: string[] = [];

  constructor(
    private readonly events: EventBus,
    private readonly keepFinished = KEEP_FINISHED,
  ) {}

  start<R>(spec: JobSpec<R>): string {
    const id = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = {
      id,
      kind: spec.kind,
      label: spec.label,
      status: 'running',
      done: 0,
      total: 0,
      message: null,
      startedAt: new Date().toISOString(),
      error: null,
    };
    const state: JobState = { info, controller, lastEmit: 0, pendingEmit: null, promise: Promise.resolve() };
    this.#jobs.set(id, state);

    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, message) => {
        info.done = done;
        info.total = total;
        if (message !== undefined) info.message = message;
        this.#emitProgress(state);
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new JobCancelledError();
      },
    };

    this.events.emit('job.progress', { ...info });
    state.promise = this.#execute(spec, state, ctx);
    return id;
  }

  async #execute<R>(spec: JobSpec<R>, state: JobState, ctx: JobContext): Promise<void> {
    let result: unknown = null;
    try {
      // Let start() return the id before any work happens.
      await Promise.resolve();
      ctx.throwIfCancelled();
      result = await spec.run(ctx);
      state.info.status = state.controller.signal.aborted ? 'cancelled' : 'succeeded';
    } catch (error) {
      if (error instanceof JobCancelledError || state.controller.signal.aborted) {
        state.info.status = 'cancelled';
      } else {
        state.info.status = 'failed';
        state.info.error = error instanceof Error ? error.message : String(error);
      }
    } finally {
      try {
        await spec.cleanup?.();
      } catch (error) {
        console.error(`cleanup of job ${state.info.id} failed:`, error);
      }
      if (state.pendingEmit) clearTimeout(state.pendingEmit);
      state.pendingEmit = null;
      this.events.emit('job.finished', { ...state.info, result });
      this.#finished.push(state.info.id);
      while (this.#finished.length > this.keepFinished) this.#jobs.delete(this.#finished.shift()!);
    }
  }

  #emitProgress(state: JobState): void {
    const now = Date.now();
    const wait = state.lastEmit + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) {
      state.lastEmit = now;
      this.events.emit('job.progress', { ...state.info });
    } else if (!state.pendingEmit) {
      state.pendingEmit = setTimeout(() => {
        state.pendingEmit = null;
        if (state.info.status !== 'running') return;
        state.lastEmit = Date.now();
        this.events.emit('job.progress', { ...state.info });
      }, wait);
    }
  }

  cancel(id: string): boolean {
    const state = this.#jobs.get(id);
    if (!state || state.info.status !== 'running') return false;
    state.controller.abort();
    return true;
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((s) => ({ ...s.info }));
  }

  get(id: string): JobInfo | undefined {
    const state = this.#jobs.get(id);
    return state ? { ...state.info } : undefined;
  }

  /** Resolves when the job has finished (whatever its outcome), with its final info. */
  async wait(id: string): Promise<JobInfo> {
    const state = this.#jobs.get(id);
    if (!state) throw new Error(`unknown job ${id}`);
    await state.promise;
    return { ...state.info };
  }

  async cancelAll(): Promise<void> {
    for (const state of this.#jobs.values()) state.controller.abort();
    await Promise.allSettled([...this.#jobs.values()].map((s) => s.promise));
  }
}
