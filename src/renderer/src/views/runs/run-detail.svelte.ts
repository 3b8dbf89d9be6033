import type { ClassInfo, EvalView, LabelEntry, ReviewItem } from '@shared/contract';
import type { ExportFormat } from '@shared/contract/evaluation';
import { getApi } from '../../lib/api';
import { jobs } from '../../managers/jobs.svelte';
import { notices } from '../../managers/notices.svelte';
import { UndoHistory } from '../../managers/undo-history.svelte';

/** One review decision: the label before it (to undo) and after it (to redo). */
interface ReviewDecision {
  previous: LabelEntry[];
  next: LabelEntry[];
  text: string;
}

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
  /** Why the last export failed, shown at the folder field. */
  exportProblem = $state<string | null>(null);
  /** Why the automatic evaluation could not run (no validation images…), said where the report would be. */
  evalProblem = $state<string | null>(null);
  queue = $state.raw<ReviewItem[]>([]);
  classes = $state.raw<ClassInfo[]>([]);
  /** Review decisions: Ctrl+Z puts the predicted label back and the picture back in the queue. */
  readonly reviewHistory = new UndoHistory<ReviewDecision>(100);
  #sequence = 0;
  /** Runs evaluated automatically once this session (a failure is not retried on every visit). */
  readonly #autoEvaluated = new Set<string>();

  select(id: string | null): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.report = null;
    this.lastExport = null;
    this.exportProblem = null;
    this.evalProblem = null;
    void this.loadReport().then(() => this.ensureEvaluated());
  }

  /**
   * A finished run shows its validation result without a click: evaluated once when it has no report.
   * The test split is never evaluated unasked (each look spoils it).
   */
  async ensureEvaluated(): Promise<void> {
    const id = this.selectedId;
    if (!id || this.split !== 'validation' || this.report || this.evaluating) return;
    if (this.#autoEvaluated.has(id)) return;
    this.#autoEvaluated.add(id);
    await this.evaluate(true);
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
      const [report, classes] = await Promise.all([
        getApi().invoke('eval.get', { runId: id, split: this.split }),
        getApi().invoke('library.classes', {}),
      ]);
      if (seq !== this.#sequence) return;
      this.report = report;
      this.classes = classes;
    } catch (error) {
      notices.error(error);
    }
  }

  /** quiet: an automatic evaluation says why it failed in the panel, not in a toast. */
  async evaluate(quiet = false): Promise<void> {
    const id = this.selectedId;
    if (!id || this.evaluating) return;
    this.evaluating = true;
    this.evalProblem = null;
    try {
      const { jobId } = await getApi().invoke('eval.start', { runId: id, split: this.split });
      const job = await jobs.whenFinished(jobId);
      if (job.status === 'failed') {
        if (quiet) this.evalProblem = job.error ?? 'evaluation failed';
        else notices.show(job.error ?? 'evaluation failed', 'error');
      }
      if (id === this.selectedId) await this.loadReport();
    } catch (error) {
      if (quiet) this.evalProblem = error instanceof Error ? error.message : String(error);
      else notices.error(error);
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
    // A new attempt replaces the last outcome: never "Exported to …" beside a new failure.
    this.lastExport = null;
    this.exportProblem = null;
    try {
      const result = await getApi().invoke('export.model', { runId: id, outDir: outDir.trim() || undefined, format });
      this.lastExport = result;
    } catch (error) {
      this.exportProblem = (error instanceof Error ? error.message : String(error)).replace(/^export\.model: /, '');
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
      const next: LabelEntry[] = [{ imageId: item.imageId, classId, source: 'manual', confidence: null }];
      const { previous } = await getApi().invoke('library.applyLabels', { entries: next });
      this.queue = this.queue.filter((q) => q.imageId !== item.imageId);
      const name = this.classes.find((c) => c.id === classId)?.name ?? 'class';
      this.reviewHistory.record({ previous, next, text: `${classId === item.classId ? 'accepted' : 'corrected to'} ${name}` });
    } catch (error) {
      notices.error(error);
    }
  }

  /** Ctrl+Z in the review queue: the last decision's predicted label (with its confidence) comes back. */
  async undoReview(): Promise<ReviewDecision | null> {
    const done = await this.reviewHistory.undo((d) => this.#writeLabels(d.previous));
    if (done) {
      notices.show(`Undone: ${done.text}`);
      await this.loadQueue();
    }
    return done;
  }

  /** Ctrl+Shift+Z / Ctrl+Y: the decision again. */
  async redoReview(): Promise<ReviewDecision | null> {
    const done = await this.reviewHistory.redo((d) => this.#writeLabels(d.next));
    if (done) {
      notices.show(`Redone: ${done.text}`);
      await this.loadQueue();
    }
    return done;
  }

  async #writeLabels(entries: LabelEntry[]): Promise<boolean> {
    try {
      await getApi().invoke('library.applyLabels', { entries });
      return true;
    } catch (error) {
      notices.error(error);
      return false;
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

  #projectDir: string | null = null;

  /** The open project: another project's run, report and review history never carry over. */
  show(dir: string | null): void {
    if (dir === this.#projectDir) return;
    this.#projectDir = dir;
    this.reset();
  }

  reset(): void {
    this.#sequence++;
    this.selectedId = null;
    this.compareIds = [];
    this.report = null;
    this.queue = [];
    this.reviewHistory.clear();
    this.lastExport = null;
    this.exportProblem = null;
    this.evalProblem = null;
  }
}

export const runDetail = new RunDetailManager();
