import { importResultSchema, type CsvColumns, type CsvLabelsOptions, type ImportResult, type JobInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import { formatCount, plural } from '../lib/format';
import { jobs } from './jobs.svelte';
import { library } from './library.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';

/** One import at a time from the UI: start it, follow its job, keep its report until dismissed. */
class ImportManager {
  /** The path field's text, shared by every import panel so it survives the empty state giving way to the grid. */
  draft = $state('');
  jobId = $state<string | null>(null);
  result = $state<ImportResult | null>(null);
  failure = $state<string | null>(null);
  readonly job = $derived<JobInfo | undefined>(this.jobId ? jobs.get(this.jobId) : undefined);
  /** The optional labels CSV: its path as typed, and once read, its columns and the ones picked. */
  csvOpen = $state(false);
  csvDraft = $state('');
  csv = $state<CsvColumns | null>(null);
  csvError = $state<string | null>(null);
  csvReading = $state(false);
  pathColumn = $state('');
  labelColumn = $state('');
  /** '' : no split column. */
  splitColumn = $state('');
  #readFor: string | null = null;
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
      const labels = this.labelsOption();
      const { jobId } = await getApi().invoke('library.import', { paths: clean, ...(labels ? { labels } : {}) });
      this.jobId = jobId;
      const finished = await jobs.whenFinished(jobId);
      // The grid and its counts show what landed before the report does (not "All images 0" beside
      // "Imported: 6 new images" while a debounced reload is still to come).
      await Promise.all([library.load(), project.refreshStatus()]);
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

  /**
   * Reads the CSV's header so the column pickers can offer its columns, preset to what an import
   * would pick. A file that cannot be read, or has no label column, says so here, before importing.
   */
  async readColumns(): Promise<void> {
    const file = this.csvDraft.trim();
    // Enter, then the field's change on leaving it: the same file is read once, the picks kept.
    if ((this.csv || this.csvReading) && this.#readFor === file) return;
    this.#readFor = file;
    this.csv = null;
    this.csvError = null;
    if (!file) return;
    this.csvReading = true;
    try {
      const columns = await getApi().invoke('library.csvColumns', { file });
      // The path may have been edited while the file was read.
      if (this.csvDraft.trim() !== file) return;
      this.csv = columns;
      this.pathColumn = columns.detected.path ?? columns.columns[0] ?? '';
      this.labelColumn = columns.detected.label ?? '';
      this.splitColumn = columns.detected.split ?? '';
    } catch (error) {
      this.csvError = error instanceof Error ? error.message : String(error);
    } finally {
      this.csvReading = false;
    }
  }

  /** The path was edited: the columns read before belong to another file. */
  csvEdited(): void {
    this.#readFor = null;
    this.csv = null;
    this.csvError = null;
  }

  closeCsv(): void {
    this.csvOpen = false;
    this.csvDraft = '';
    this.csvEdited();
  }

  /** Importing now would stop at the CSV: it cannot be read, or no label column is chosen. */
  get csvBlocked(): boolean {
    if (!this.csvOpen || !this.csvDraft.trim()) return false;
    return this.csvError !== null || (this.csv !== null && !this.labelColumn);
  }

  /** The CSV as the import command takes it: the columns picked once read, else found by name. */
  labelsOption(): CsvLabelsOptions | undefined {
    const file = this.csvDraft.trim();
    if (!this.csvOpen || !file) return undefined;
    if (!this.csv) return { file };
    return {
      file,
      ...(this.pathColumn ? { pathColumn: this.pathColumn } : {}),
      ...(this.labelColumn ? { labelColumn: this.labelColumn } : {}),
      splitColumn: this.splitColumn || null,
    };
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
  if (r.labels) parts.push(`${plural(r.labels.labelled, 'image')} labelled from the CSV`);
  return `Imported ${parts.join(', ')}.`;
}

/** Rows of the labels CSV the import could not use: the report stays open on them. */
export function csvRowsUnused(r: ImportResult): number {
  return r.labels ? Object.values(r.labels.problemCounts).reduce((a, b) => a + b, 0) : 0;
}
