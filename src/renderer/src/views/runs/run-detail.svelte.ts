import type { ClassInfo, EvalView, ReviewItem } from '@shared/contract';
import type { ExportFormat } from '@shared/contract/evaluation';
import { getApi } from '../../lib/api';
import { jobs } from '../../managers/jobs.svelte';
import { notices } from '../../managers/notices.svelte';

export type EvalSplit = 'validation' | 'test';

/**
 * The Runs view's detail state: which run is open, which are compared, the open run's evaluation,
 * and the review queue of predicted labels. Jobs (evaluate, pre-label) report through the job chip;
 * this only waits for their end to refetch.
 */
class RunDetailManager {
  selectedId = $state<string | null>(null);
  compareIds = $state<string[]>([]);
  split = $state<EvalSplit>('validation');
  report = $state.raw<EvalView | null>(null);
  evaluating = $state(false);
  prelabelling = $state(false);
  exporting = $state(false);
  lastExport = $state<{ dir: string; files: string[]; format: ExportFormat } | null>(null);
  queue = $state.raw<ReviewItem[]>([]);
  classes = $state.raw<ClassInfo[]>([]);
  #sequence = 0;

  select(id: string | null): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.report = null;
    this.lastExport = null;
    void this.loadReport();
  }

  toggleCompare(id: string): void {
    this.compareIds = this.compareIds.includes(id) ? this.compareIds.filter((x) => x !== id) : [...this.compareIds, id];
  }

  setSplit(split: EvalSplit): void {
    this.split = split;
    this.report = null;
    void this.loadReport();
  }

  async loadReport(): Promise<void> {
    const id = this.selectedId;
    const seq = ++this.#sequence;
    if (!id) return;
    try {
      const [report, classes] = await Promise.all([getApi().invoke('eval.get', { runId: id, split: this.split }), getApi().invoke('library.classes', {})]);
      if (seq !== this.#sequence) return;
      this.report = report;
      this.classes = classes;
    } catch (error) {
      notices.error(error);
    }
  }

  async evaluate(): Promise<void> {
    const id = this.selectedId;
    if (!id || this.evaluating) return;
    this.evaluating = true;
    try {
      const { jobId } = await getApi().invoke('eval.start', { runId: id, split: this.split });
      const job = await jobs.whenFinished(jobId);
      if (job.status === 'failed') notices.show(job.error ?? 'evaluation failed', 'error');
      await this.loadReport();
    } catch (error) {
      notices.error(error);
    } finally {
      this.evaluating = false;
    }
  }

  async prelabel(): Promise<void> {
    const id = this.selectedId;
    if (!id || this.prelabelling) return;
    this.prelabelling = true;
    try {
      const { jobId } = await getApi().invoke('predict.prelabel', { runId: id });
      const job = await jobs.whenFinished(jobId);
      if (job.status === 'failed') notices.show(job.error ?? 'pre-labelling failed', 'error');
      else {
        const r = job.result as { labelled: number } | null;
        notices.show(`Pre-labelled ${r?.labelled ?? 0} images as predicted. Review them below, least confident first.`);
      }
      await this.loadQueue();
    } catch (error) {
      notices.error(error);
    } finally {
      this.prelabelling = false;
    }
  }

  async exportModel(outDir: string, format: ExportFormat): Promise<void> {
    const id = this.selectedId;
    if (!id || this.exporting) return;
    this.exporting = true;
    try {
      const result = await getApi().invoke('export.model', { runId: id, outDir: outDir.trim() || undefined, format });
      this.lastExport = result;
      notices.show(`Exported to ${result.dir}`);
    } catch (error) {
      notices.error(error);
    } finally {
      this.exporting = false;
    }
  }

  async loadQueue(): Promise<void> {
    try {
      const [queue, classes] = await Promise.all([getApi().invoke('review.queue', {}), getApi().invoke('library.classes', {})]);
      this.queue = queue;
      this.classes = classes;
    } catch (error) {
      notices.error(error);
    }
  }

  /** Accept (classId = the prediction) or correct: either way the label becomes manual. */
  async decide(item: ReviewItem, classId: number): Promise<void> {
    try {
      await getApi().invoke('library.applyLabels', { entries: [{ imageId: item.imageId, classId, source: 'manual', confidence: null }] });
      this.queue = this.queue.filter((q) => q.imageId !== item.imageId);
    } catch (error) {
      notices.error(error);
    }
  }

  /** Relabel in place from the mistakes gallery (a manual label); the report counts it as relabelled. */
  async relabel(imageId: number, classId: number): Promise<void> {
    try {
      await getApi().invoke('library.applyLabels', { entries: [{ imageId, classId, source: 'manual', confidence: null }] });
      await this.loadReport();
    } catch (error) {
      notices.error(error);
    }
  }

  reset(): void {
    this.#sequence++;
    this.selectedId = null;
    this.compareIds = [];
    this.report = null;
    this.queue = [];
  }
}

export const runDetail = new RunDetailManager();
