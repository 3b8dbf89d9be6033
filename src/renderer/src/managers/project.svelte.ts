import type { CommandOutput, ProjectInfo, ResizeMode, StatusSummary } from '@shared/contract';
import { getApi, setImageScope, WebSocketApi } from '../lib/api';
import { notices } from './notices.svelte';

type ProjectState = CommandOutput<'project.state'>;

/** FNV-1a: a short stable tag per project folder for image URLs (see setImageScope). */
function hashString(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** The open project (or none), the recent list, and the counts the top bar shows. */
class ProjectManager {
  state = $state<ProjectState | null>(null);
  status = $state<StatusSummary | null>(null);
  connection = $state<'connecting' | 'open' | 'closed'>('connecting');
  /** Bumped whenever the catalogue changed; views $effect on it to refetch. */
  revision = $state(0);
  busy = $state(false);
  readonly project = $derived<ProjectInfo | null>(this.state?.project ?? null);
  #started = false;

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const api = getApi();
    if (api instanceof WebSocketApi) {
      this.connection = api.state;
      api.onConnectionChange((state) => {
        this.connection = state;
        // Events may have been missed while disconnected: refetch everything.
        if (state === 'open') {
          void this.refresh();
          this.revision++;
        }
      });
    } else {
      this.connection = 'open';
    }
    api.on('project.changed', () => void this.refresh());
    api.on('library.changed', () => {
      this.revision++;
      void this.refreshStatus();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const state = await getApi().invoke('project.state', {});
      setImageScope(state.project ? hashString(state.project.dir) : '');
      this.state = state;
      await this.refreshStatus();
    } catch (error) {
      notices.error(error);
    }
  }

  async refreshStatus(): Promise<void> {
    if (!this.state?.project) {
      this.status = null;
      return;
    }
    try {
      this.status = await getApi().invoke('library.status', {});
    } catch {
      this.status = null;
    }
  }

  /** resizeMode applies only when `create` makes a new project; an existing one keeps its own. */
  async open(dir: string, create = false, resizeMode?: ResizeMode): Promise<boolean> {
    return this.#run(() => getApi().invoke('project.open', { dir, create, resizeMode }));
  }

  async openSample(): Promise<boolean> {
    return this.#run(() => getApi().invoke('project.openSample', {}));
  }

  async close(): Promise<void> {
    await this.#run(() => getApi().invoke('project.close', {}));
  }

  async forget(dir: string): Promise<void> {
    await this.#run(() => getApi().invoke('project.forgetRecent', { dir }));
  }

  async #run(action: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    try {
      await action();
      await this.refresh();
      this.revision++;
      return true;
    } catch (error) {
      notices.error(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

export const project = new ProjectManager();
