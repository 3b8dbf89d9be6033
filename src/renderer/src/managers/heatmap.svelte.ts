import { explainImagesResultSchema, explanationSchema, type ExplainImagesResult, type Explanation, type RunInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { jobs } from './jobs.svelte';

/** One picture's heatmap as the window knows it. */
export type HeatmapEntry = { status: 'waiting' } | { status: 'done'; explanation: Explanation } | { status: 'failed'; reason: string };

/** The newest run with a trained model: what the Library's preview explains with. */
export function latestFinishedRun(runs: readonly RunInfo[]): RunInfo | null {
  const finished = runs.filter((r) => r.status === 'succeeded' && r.modelDir !== null);
  return finished.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0] ?? null;
}

const pct = (p: number | undefined): string => `${Math.round((p ?? 0) * 100)}%`;

/** The legend under a heatmap: which run, which class, and what it predicted. */
export function heatmapCaption(e: Explanation): string {
  const p = (name: string): number | undefined => e.probabilities[e.classes.indexOf(name)];
  const predicted = `predicted ${e.predicted} ${pct(p(e.predicted))}`;
  const what = e.peak > 0 ? `where run ${e.runId} sees “${e.explained}”` : `run ${e.runId}: nothing here speaks for “${e.explained}”`;
  return `${what} (${predicted})`;
}

export interface HeatmapSource {
  /** Explains catalogue pictures with a run, in one job. */
  images(runId: string, imageIds: number[]): Promise<ExplainImagesResult>;
  /** Explains a picture the user brought (Try it), sent as bytes. */
  file(runId: string, name: string, data: string): Promise<Explanation>;
}

async function finished(jobId: string): Promise<unknown> {
  const job = await jobs.whenFinished(jobId);
  if (job.status !== 'succeeded') throw new Error(job.error ?? `explaining ${job.status}`);
  return job.result;
}

const apiSource: HeatmapSource = {
  images: async (runId, imageIds) =>
    explainImagesResultSchema.parse(await finished((await getApi().invoke('explain.images', { runId, imageIds })).jobId)),
  file: async (runId, name, data) =>
    explanationSchema.parse(await finished((await getApi().invoke('explain.image', { runId, file: { name, data } })).jobId)),
};

/** Most pictures asked for in one job: a screenful of the mistakes gallery. */
const BATCH = 64;

/**
 * "What the model looks at": the H key turns heatmaps on or off in every place at once (Library
 * preview, mistakes gallery, Try it). Maps are asked for when a picture is shown with them on,
 * gathered into one job per run (one training process for a screenful), and kept per run and picture
 * for the session: a run's model never changes.
 */
export class HeatmapManager {
  on = $state(false);
  entries = $state<Record<string, HeatmapEntry>>({});
  /** Pictures asked for since the last job went out. */
  #queued: { runId: string; imageId: number }[] = [];

  constructor(readonly source: HeatmapSource = apiSource) {}

  toggle(): void {
    this.on = !this.on;
  }

  static imageKey(runId: string, imageId: number): string {
    return `${runId}:image:${imageId}`;
  }

  static fileKey(runId: string, key: string | number): string {
    return `${runId}:file:${key}`;
  }

  entry(key: string): HeatmapEntry | undefined {
    return this.entries[key];
  }

  /** Asks for a catalogue picture's map once; requests made together travel in one job. */
  request(runId: string, imageId: number): void {
    const key = HeatmapManager.imageKey(runId, imageId);
    if (this.entries[key]) return;
    this.entries[key] = { status: 'waiting' };
    // The first request of a burst schedules the job; the rest of the burst joins it.
    if (this.#queued.push({ runId, imageId }) === 1) setTimeout(() => void this.#flush(), 0);
  }

  /** Asks for the map of a picture given as bytes (base64), once per key. */
  async requestFile(runId: string, key: string | number, name: string, data: () => Promise<string>): Promise<void> {
    const entryKey = HeatmapManager.fileKey(runId, key);
    if (this.entries[entryKey]) return;
    this.entries[entryKey] = { status: 'waiting' };
    try {
      this.entries[entryKey] = { status: 'done', explanation: await this.source.file(runId, name, await data()) };
    } catch (error) {
      this.entries[entryKey] = { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async #flush(): Promise<void> {
    const queued = this.#queued;
    this.#queued = [];
    const work: Promise<void>[] = [];
    const runIds = queued.map((q) => q.runId).filter((id, i, all) => all.indexOf(id) === i);
    for (const runId of runIds) {
      const ids = queued.filter((q) => q.runId === runId).map((q) => q.imageId);
      for (let i = 0; i < ids.length; i += BATCH) work.push(this.#send(runId, ids.slice(i, i + BATCH)));
    }
    await Promise.all(work);
  }

  async #send(runId: string, ids: number[]): Promise<void> {
    try {
      const result = await this.source.images(runId, ids);
      for (const e of result.explanations)
        if (e.imageId !== null) this.entries[HeatmapManager.imageKey(runId, e.imageId)] = { status: 'done', explanation: e };
      for (const s of result.skipped) this.entries[HeatmapManager.imageKey(runId, s.imageId)] = { status: 'failed', reason: s.reason };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const id of ids) this.entries[HeatmapManager.imageKey(runId, id)] = { status: 'failed', reason };
    }
  }
}

export const heatmap = new HeatmapManager();
