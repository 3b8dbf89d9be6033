import type { RunInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { notices } from './notices.svelte';

/** The project's training runs, newest first; refreshed when a run starts or finishes. */
class RunsManager {
  list = $state.raw<RunInfo[]>([]);
  loaded = $state(false);

  async refresh(): Promise<void> {
    try {
      this.list = await getApi().invoke('runs.list', {});
      this.loaded = true;
    } catch (error) {
      notices.error(error);
    }
  }
}

export const runs = new RunsManager();
