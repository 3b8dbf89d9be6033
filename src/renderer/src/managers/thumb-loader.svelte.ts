/** How urgently a tile wants its picture: on screen now, or in the rows kept ready above and below. */
export type ThumbPriority = 'visible' | 'nearby';

/** A tile's claim on one thumbnail: resolves with a displayable URL; release() when the tile goes. */
export interface ThumbTicket {
  readonly url: Promise<string>;
  /** The tile scrolled into or out of view: move its request in the queue. */
  setPriority(priority: ThumbPriority): void;
  /** The tile left the DOM: drop the request if it has not finished (aborting it in flight). */
  release(): void;
}

export interface ThumbLoaderOptions {
  /** Fetches the bytes; must stop when the signal aborts. */
  fetchBlob: (url: string, signal: AbortSignal) => Promise<Blob>;
  createUrl?: (blob: Blob) => string;
  revokeUrl?: (url: string) => void;
  /** Requests in flight at once: a browser opens six connections per host, so more would only queue there, out of our reach. */
  limit?: number;
  /** Finished thumbnails no tile shows, kept for scrolling back (each is a few KB of WebP). */
  keep?: number;
}

interface Entry {
  key: string;
  priority: ThumbPriority;
  /** When the entry was last asked for: the newest request wins among equals (the screen the user is on). */
  stamp: number;
  claims: number;
  controller: AbortController | null;
  objectUrl: string | null;
  promise: Promise<string>;
  resolve: (url: string) => void;
  reject: (error: unknown) => void;
  state: 'queued' | 'loading' | 'done' | 'failed';
}

/** Rejection for a request nobody wants any more; tiles ignore it. */
export class ThumbCancelled extends Error {
  constructor() {
    super('thumbnail no longer needed');
  }
}

/**
 * The grid's thumbnail requests, scheduled instead of left to <img loading=lazy>: at most `limit` in
 * flight, visible tiles before the rows kept ready around them and the newest before older ones, and
 * a request whose tile scrolled away dropped from the queue or aborted in flight. A fast scroll to the
 * end therefore waits for at most `limit` stale requests, not for every screen it passed.
 */
export class ThumbLoader {
  // Plain numbers, not state: tiles call load() from their effects, and a tracked read there would
  // re-run every tile (releasing and re-asking) each time a request finished.
  /** Requests now in flight. */
  inFlight = 0;
  /** Requests aborted in flight or dropped from the queue because their tile left. */
  cancelled = 0;

  readonly #options: Required<ThumbLoaderOptions>;
  // Deliberately not reactive (see inFlight): nothing renders from the queue itself.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #entries = new Map<string, Entry>();
  /** Finished, unclaimed entries in the order they were released (oldest first): the first to evict. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #idle = new Set<string>();
  #clock = 0;

  constructor(options: ThumbLoaderOptions) {
    this.#options = {
      createUrl: (blob) => URL.createObjectURL(blob),
      revokeUrl: (url) => URL.revokeObjectURL(url),
      limit: 6,
      keep: 400,
      ...options,
    };
  }

  load(key: string, priority: ThumbPriority = 'visible'): ThumbTicket {
    let entry = this.#entries.get(key);
    if (!entry || entry.state === 'failed') entry = this.#create(key, priority);
    else if (priority === 'visible') entry.priority = 'visible';
    entry.claims++;
    entry.stamp = ++this.#clock;
    this.#idle.delete(key);
    const claimed = entry;
    let released = false;
    this.#pump();
    return {
      url: claimed.promise,
      setPriority: (next) => {
        if (released || claimed.priority === next) return;
        claimed.priority = next;
        claimed.stamp = ++this.#clock;
        this.#pump();
      },
      release: () => {
        if (released) return;
        released = true;
        this.#release(claimed);
      },
    };
  }

  /**
   * Drop the finished thumbnails no tile shows (the catalogue changed: a file edited in place keeps
   * its id, so its old picture must not come back from here).
   */
  forgetIdle(): void {
    for (const key of this.#idle) {
      const entry = this.#entries.get(key);
      if (entry?.objectUrl) this.#options.revokeUrl(entry.objectUrl);
      this.#entries.delete(key);
    }
    this.#idle.clear();
  }

  /** Forget everything (another project): aborts what is in flight and frees every object URL. */
  clear(): void {
    for (const entry of this.#entries.values()) {
      entry.controller?.abort();
      if (entry.objectUrl) this.#options.revokeUrl(entry.objectUrl);
      if (entry.state === 'queued' || entry.state === 'loading') entry.reject(new ThumbCancelled());
    }
    this.#entries.clear();
    this.#idle.clear();
    this.inFlight = 0;
  }

  #create(key: string, priority: ThumbPriority): Entry {
    let resolve!: (url: string) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A cancelled ticket nobody awaits must not surface as an unhandled rejection.
    promise.catch(() => {});
    const entry: Entry = {
      key,
      priority,
      stamp: 0,
      claims: 0,
      controller: null,
      objectUrl: null,
      promise,
      resolve,
      reject,
      state: 'queued',
    };
    this.#entries.set(key, entry);
    return entry;
  }

  #release(entry: Entry): void {
    entry.claims = Math.max(0, entry.claims - 1);
    if (entry.claims > 0 || this.#entries.get(entry.key) !== entry) return;
    if (entry.state === 'queued' || entry.state === 'loading') {
      // Its tile scrolled away before the picture came: free the slot for one on screen.
      entry.controller?.abort();
      this.#entries.delete(entry.key);
      this.cancelled++;
      entry.reject(new ThumbCancelled());
      this.#pump();
      return;
    }
    if (entry.state === 'done') {
      this.#idle.add(entry.key);
      this.#evict();
    } else {
      this.#entries.delete(entry.key);
    }
  }

  #evict(): void {
    for (const key of this.#idle) {
      if (this.#idle.size <= this.#options.keep) return;
      this.#idle.delete(key);
      const entry = this.#entries.get(key);
      if (entry?.objectUrl) this.#options.revokeUrl(entry.objectUrl);
      this.#entries.delete(key);
    }
  }

  #next(): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.state !== 'queued') continue;
      if (!best || rank(entry) > rank(best)) best = entry;
    }
    return best;
  }

  #pump(): void {
    while (this.inFlight < this.#options.limit) {
      const entry = this.#next();
      if (!entry) return;
      void this.#start(entry);
    }
  }

  async #start(entry: Entry): Promise<void> {
    entry.state = 'loading';
    entry.controller = new AbortController();
    this.inFlight++;
    try {
      const blob = await this.#options.fetchBlob(entry.key, entry.controller.signal);
      if (this.#entries.get(entry.key) !== entry) return;
      entry.objectUrl = this.#options.createUrl(blob);
      entry.state = 'done';
      entry.resolve(entry.objectUrl);
    } catch (error) {
      if (this.#entries.get(entry.key) !== entry) return;
      entry.state = 'failed';
      entry.reject(error);
    } finally {
      entry.controller = null;
      this.inFlight--;
      this.#pump();
    }
  }
}

/** Visible before nearby; among equals the most recently asked for (where the user is now). */
function rank(entry: Entry): number {
  return (entry.priority === 'visible' ? 1e12 : 0) + entry.stamp;
}

async function fetchThumb(url: string, signal: AbortSignal): Promise<Blob> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`thumbnail ${url}: HTTP ${response.status}`);
  return response.blob();
}

/** The grid's one loader (the browser's connection limit is per page, so one queue for all tiles). */
export const thumbs = new ThumbLoader({ fetchBlob: fetchThumb });
