import { availableParallelism } from 'node:os';

/**
 * Decoding is CPU-bound in libvips' own threads; a few in flight keep the cores busy without queuing
 * hundreds of full-size buffers in memory.
 */
export const DECODE_CONCURRENCY = Math.max(2, Math.min(8, availableParallelism()));

/** Runs at most `limit` tasks at a time; later calls wait their turn. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const next = (): void => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      next();
    }
  };
}

/** One limiter for every decode in the process: import, thumbnails, training input. */
export const decodeLimit = createLimiter(DECODE_CONCURRENCY);
