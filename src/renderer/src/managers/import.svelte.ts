import { importResultSchema, type ImportResult, type JobInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { formatCount, plural } from '../lib/format';
import { jobs } from './jobs.svelte';
import { notices } from './notices.svelte';

/** One import at a time from the UI: start it, follow its job, keep its report until dismissed. */
class ImportManager {
  /** The path field's text, shared by every import panel so it survives the empty state giving way to the grid. */
  draft = $state('');
  jobId = $state<string | null>(null);
  result = $state<ImportResult | null>(null);
  failure = $state<string | null>(null);
  readonly job = $derived<JobInfo | undefined>(this.jobId ? jobs.get(this.jobId) : undefined);
  readonly running = $derived(this.job?.status === 'running');

  async start(paths: string[]): Promise<void> {
    const clean = paths.map((p) => p.trim()).filter(Boolean);
    if (!clean.length) {
      notices.show('Type the path of a folder to import.', 'error');
      return;
    }
    this.result = null;
    this.failure = null;
    try {
      const { jobId } = await getApi().invoke('library.import', { paths: clean });
      this.jobId = jobId;
      const finished = await jobs.whenFinished(jobId);
      if (finished.status === 'failed') {
        this.failure = finished.error ?? 'the import failed';
        return;
      }
      const parsed = importResultSchema.safeParse(finished.result);
      if (parsed.success) this.result = parsed.data;
      else if (finished.status === 'cancelled') this.failure = 'The import was cancelled; what was read so far is kept.';
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  async cancel(): Promise<void> {
    if (this.jobId) await jobs.cancel(this.jobId).catch((e) => notices.error(e));
  }

  dismiss(): void {
    this.jobId = null;
    this.result = null;
    this.failure = null;
  }
}

export const importer = new ImportManager();

/** One line for a toast: what an import added. */
export function importSummary(r: ImportResult): string {
  const parts = [plural(r.added, 'new image')];
  if (r.unchanged) parts.push(`${formatCount(r.unchanged)} unchanged`);
  if (r.duplicates) parts.push(plural(r.duplicates, 'duplicate'));
  if (r.edited.length) parts.push(`${plural(r.edited.length, 'file')} edited in place`);
  return `Imported ${parts.join(', ')}.`;
}
