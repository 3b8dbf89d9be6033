import { existsSync } from 'node:fs';
import { DECODE_CONCURRENCY } from './concurrency';
import { readCachedThumbnail, renderThumbnail, thumbnailFile } from './render';

/** A thumbnail nobody waits for any more was not made. */
export class ThumbnailAbandoned extends Error {
  readonly code = 'abandoned';
  constructor() {
    super('thumbnail request abandoned');
  }
}

interface Waiter {
  resolve: (data: Buffer) => void;
  reject: (error: unknown) => void;
}

interface Job {
  file: string;
  sourcePath: string;
  waiters: Set<Waiter>;
  /** When it was last asked for: the newest request goes first (the screen the user is on now). */
  stamp: number;
  started: boolean;
}

/**
 * Thumbnails for the grid, made on first request and read from thumbs/<sha256>.webp after that.
 * Renders run `limit` at a time (one per core), newest request first (LIFO: after a fling the
 * screen the user landed on comes before the screens passed on the way), requests for one picture
 * share a render, and a request whose client went away (its signal aborted) leaves the queue; a
 * render nobody waits for any more is not started. Its own queue, not the process's decode limiter,
 * so an import or training run does not put the grid's thumbnails behind thousands of decodes.
 */
export class ThumbnailQueue {
  readonly #jobs = new Map<string, Job>();
  #active = 0;
  #clock = 0;
  /** Renders finished, and requests dropped before their render started (tests, diagnostics). */
  readonly stats = { rendered: 0, dropped: 0 };

  constructor(readonly limit = DECODE_CONCURRENCY) {}

  async get(sourcePath: string, sha256: string, thumbsDir: string, signal?: AbortSignal): Promise<Buffer> {
    const file = thumbnailFile(thumbsDir, sha256);
    // A stat, not an await, decides: the request takes its place in the queue in the order it came.
    if (!this.#jobs.has(file) && existsSync(file)) {
      const cached = await readCachedThumbnail(file);
      if (cached) return cached;
    }
    if (signal?.aborted) {
      this.stats.dropped++;
      throw new ThumbnailAbandoned();
    }
    let job = this.#jobs.get(file);
    if (!job) {
      job = { file, sourcePath, waiters: new Set(), stamp: 0, started: false };
      this.#jobs.set(file, job);
    }
    job.stamp = ++this.#clock;
    const claimed = job;
    return new Promise<Buffer>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      claimed.waiters.add(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          if (!claimed.waiters.delete(waiter)) return;
          reject(new ThumbnailAbandoned());
          if (!claimed.started && claimed.waiters.size === 0 && this.#jobs.get(claimed.file) === claimed) {
            this.#jobs.delete(claimed.file);
            this.stats.dropped++;
          }
        },
        { once: true },
      );
      this.#pump();
    });
  }

  /** Requests waiting for a render slot. */
  get waiting(): number {
    let n = 0;
    for (const job of this.#jobs.values()) if (!job.started) n++;
    return n;
  }

  #pump(): void {
    while (this.#active < this.limit) {
      let newest: Job | undefined;
      for (const job of this.#jobs.values()) if (!job.started && (!newest || job.stamp > newest.stamp)) newest = job;
      if (!newest) return;
      void this.#run(newest);
    }
  }

  async #run(job: Job): Promise<void> {
    job.started = true;
    this.#active++;
    try {
      const data = await renderThumbnail(job.sourcePath, job.file);
      this.stats.rendered++;
      for (const waiter of job.waiters) waiter.resolve(data);
    } catch (error) {
      for (const waiter of job.waiters) waiter.reject(error);
    } finally {
      job.waiters.clear();
      this.#jobs.delete(job.file);
      this.#active--;
      this.#pump();
    }
  }
}
