import { PREDICT_BYTES_CALL_LIMIT, PREDICT_BYTES_FILE_LIMIT, PREDICT_BYTES_MAX_FILES, predictFilesResultSchema } from '@shared/contract';
import { getApi } from '../../lib/api';
import { jobs } from '../../managers/jobs.svelte';

/** One picture tried: shown at once (from the file itself), its prediction filled in when it comes. */
export interface TryItem {
  key: number;
  name: string;
  /** An object URL of the user's file, revoked when the list is cleared. */
  url: string | null;
  status: 'waiting' | 'done' | 'skipped';
  class?: string;
  confidence?: number;
  /** Classes by probability, highest first. */
  top?: { name: string; p: number }[];
  reason?: string;
}

/** Most pictures one Try it batch takes; more are said, not silently dropped. */
export const TRY_MAX_PICTURES = 200;
const IMAGE_NAME = /\.(jpe?g|jpe|jfif|png|webp|gif|tiff?|bmp)$/i;

export function isPictureFile(file: File): boolean {
  return file.type.startsWith('image/') || IMAGE_NAME.test(file.name);
}

export function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Files of a dropped folder (browsers give entries, not paths), depth first, pictures only. */
export async function filesOfEntries(entries: FileSystemEntry[]): Promise<File[]> {
  const out: File[] = [];
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (out.length >= TRY_MAX_PICTURES * 2) return;
    if (entry.isFile) {
      const file = await new Promise<File | null>((resolve) => (entry as FileSystemFileEntry).file(resolve, () => resolve(null)));
      if (file && isPictureFile(file)) out.push(file);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve) => reader.readEntries(resolve, () => resolve([])));
        if (!batch.length) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
}

/**
 * Try it: pictures the user drops, pastes or picks are predicted by the selected run. The bytes go
 * through the contract (browser mode has no paths), in batches under the socket's size limit; the
 * engine decodes them exactly as training does.
 */
class TryItManager {
  items = $state<TryItem[]>([]);
  busy = $state(false);
  note = $state<string | null>(null);
  #nextKey = 1;
  #runId: string | null = null;
  /** The files tried, by item key (their heatmaps send the bytes again). */
  #files = new Map<number, File>();

  /** The file behind a tried picture, while it is listed. */
  fileOf(key: number): File | undefined {
    return this.#files.get(key);
  }

  clear(): void {
    for (const item of this.items) if (item.url) URL.revokeObjectURL(item.url);
    this.#files.clear();
    this.items = [];
    this.note = null;
  }

  /** The run changed: earlier answers came from another model. */
  useRun(runId: string | null): void {
    if (runId === this.#runId) return;
    this.#runId = runId;
    this.clear();
  }

  async add(runId: string, given: File[]): Promise<void> {
    this.useRun(runId);
    const pictures = given.filter(isPictureFile);
    const ignored = given.length - pictures.length;
    const taken = pictures.slice(0, TRY_MAX_PICTURES);
    const notes: string[] = [];
    if (ignored)
      notes.push(`${ignored} file${ignored === 1 ? ' is' : 's are'} not a picture and ${ignored === 1 ? 'was' : 'were'} left out`);
    if (pictures.length > taken.length) notes.push(`only the first ${TRY_MAX_PICTURES} of ${pictures.length} pictures are tried at once`);
    this.note = notes.length ? `${notes.join('; ')}.` : null;
    if (!taken.length) {
      if (!this.note) this.note = 'No pictures found there.';
      return;
    }
    const fresh: TryItem[] = taken.map((file) => ({
      key: this.#nextKey++,
      name: file.webkitRelativePath || file.name,
      url: URL.createObjectURL(file),
      status: 'waiting',
    }));
    this.items = [...fresh, ...this.items];
    const keyed = fresh.map((item, i) => ({ key: item.key, file: taken[i] as File }));
    for (const { key, file } of keyed) this.#files.set(key, file);
    this.busy = true;
    try {
      let batch: { key: number; name: string; data: string }[] = [];
      let size = 0;
      for (const { key, file } of keyed) {
        if (file.size > PREDICT_BYTES_FILE_LIMIT) {
          this.#settle(key, {
            status: 'skipped',
            reason: `larger than ${PREDICT_BYTES_FILE_LIMIT / 1024 / 1024} MiB, the most Try it sends`,
          });
          continue;
        }
        if (batch.length && (size + file.size > PREDICT_BYTES_CALL_LIMIT || batch.length >= PREDICT_BYTES_MAX_FILES)) {
          await this.#send(runId, batch);
          batch = [];
          size = 0;
        }
        batch.push({ key, name: file.name, data: base64Of(await file.arrayBuffer()) });
        size += file.size;
      }
      if (batch.length) await this.#send(runId, batch);
    } finally {
      this.busy = false;
    }
  }

  async #send(runId: string, batch: { key: number; name: string; data: string }[]): Promise<void> {
    // Names go out as indexes so two files called image.png never mix up.
    const files = batch.map((b, i) => ({ name: `${i}-${b.name}`.slice(0, 255), data: b.data }));
    try {
      const { jobId } = await getApi().invoke('predict.bytes', { runId, files });
      const job = await jobs.whenFinished(jobId);
      if (job.status !== 'succeeded') throw new Error(job.error ?? `prediction ${job.status}`);
      const result = predictFilesResultSchema.parse(job.result);
      const byIndex = (name: string): number => Number(name.slice(0, name.indexOf('-')));
      for (const p of result.predictions) {
        const b = batch[byIndex(p.path)];
        if (!b) continue;
        const top = Object.entries(p.probabilities)
          .map(([name, prob]) => ({ name, p: prob }))
          .sort((x, y) => y.p - x.p)
          .slice(0, 3);
        this.#settle(b.key, { status: 'done', class: p.class, confidence: p.confidence, top });
      }
      for (const s of result.skipped) {
        const b = batch[byIndex(s.path)];
        if (b) this.#settle(b.key, { status: 'skipped', reason: s.reason });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const b of batch) this.#settle(b.key, { status: 'skipped', reason });
    }
  }

  #settle(key: number, patch: Partial<TryItem>): void {
    const index = this.items.findIndex((it) => it.key === key);
    if (index >= 0) this.items[index] = { ...(this.items[index] as TryItem), ...patch };
  }
}

export const tryIt = new TryItManager();
