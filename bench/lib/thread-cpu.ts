import { readFileSync } from 'node:fs';

/**
 * CPU time of the calling thread in milliseconds (Linux: /proc/thread-self/schedstat, ns precision),
 * or NaN where that is unavailable. Node 20 has no per-thread cpuUsage.
 */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Time spent runnable but waiting for a core (ms): how much other processes delayed this thread. */
export function threadWaitMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return NaN;
  }
}
