import type { RunInfo, RunProgressInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { notices } from './notices.svelte';

const PHASE_WORDS: Record<RunProgressInfo['phase'], string> = {
  starting: 'starting',
  loading: 'loading the backbone',
  features: 'extracting features',
  training: 'training',
  saving: 'saving the model',
};

/** "extracting features 340/2000", "epoch 3 of 40": where a live run is, in words. */
export function describePhase(run: Pick<RunInfo, 'status' | 'config'>, progress: RunProgressInfo | null | undefined): string {
  if (run.status !== 'running' && run.status !== 'queued') return run.status;
  if (!progress) return run.status === 'queued' ? 'waiting to start' : 'running';
  if (progress.message.startsWith('stopping')) return 'stopping after this epoch';
  if (progress.phase === 'training') {
    const epoch = /epoch (\d+)\/(\d+)/.exec(progress.message);
    if (epoch) return `epoch ${epoch[1]} of ${epoch[2]}`;
  }
  if (progress.phase === 'features' && progress.total > 1) return `extracting features ${progress.done}/${progress.total}`;
  return PHASE_WORDS[progress.phase];
}

/** 75 → "1 min 15 s", 4000 → "1 h 7 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** The project's training runs, newest first; refreshed when a run starts, ends an epoch or finishes. */
class RunsManager {
  list = $state.raw<RunInfo[]>([]);
  loaded = $state(false);
  /** Live progress of running runs (from run.progress), over what runs.list said. */
  progress = $state.raw<Record<string, RunProgressInfo>>({});
  /** Ticks each second while a run is live, so its duration counts up. */
  now = $state(Date.now());
  #listening = false;
  #inFlight: Promise<void> | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;

  /** Calls while one is in flight share it: progress ticks must not pile up requests. */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#load().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #load(): Promise<void> {
    this.#listen();
    try {
      this.list = await getApi().invoke('runs.list', {});
      this.loaded = true;
      this.#tick();
    } catch (error) {
      notices.error(error);
    }
  }

  phaseOf(run: RunInfo): string {
    return describePhase(run, this.progress[run.id] ?? run.progress);
  }

  /** Seconds from start to end (or to now while it runs); null before it started. */
  durationOf(run: RunInfo): number | null {
    const total = run.timings?.totalSeconds;
    if (typeof total === 'number' && run.status !== 'running' && run.status !== 'queued') return total;
    const from = run.startedAt ?? (run.status === 'running' || run.status === 'queued' ? run.createdAt : null);
    if (!from) return null;
    const end = run.finishedAt ? Date.parse(run.finishedAt) : this.now;
    return Math.max(0, (end - Date.parse(from)) / 1000);
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    const api = getApi();
    api.on('run.progress', ({ runId, ...progress }) => {
      this.progress = { ...this.progress, [runId]: progress };
      if (!this.list.some((r) => r.id === runId && r.status === 'running')) void this.refresh();
    });
    api.on('run.epoch', () => void this.refresh());
    api.on('run.finished', ({ runId }) => {
      const { [runId]: _gone, ...rest } = this.progress;
      this.progress = rest;
      void this.refresh();
    });
  }

  #tick(): void {
    const live = this.list.some((r) => r.status === 'running' || r.status === 'queued');
    if (live && !this.#ticker) this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
    else if (!live && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = null;
    }
  }
}

export const runs = new RunsManager();
