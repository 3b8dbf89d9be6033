import { SvelteSet } from 'svelte/reactivity';
import type { ClassInfo, ImageItem, MapLayout, RunInfo } from '@shared/contract';
import { getApi } from '../lib/api';
import type { MapColourMode, MapIssues } from '../lib/map-colours';
import { jobs } from './jobs.svelte';
import { library } from './library.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';

/**
 * The Map place's state: the last layout, every image's class and split (unfiltered, unlike the
 * Library's list), the selection made on the map, and what the points are coloured by. Labels go
 * through the Library manager, so the map and the grid share one undo history.
 */
class DatasetMapManager {
  layout = $state.raw<(MapLayout & { missing: number }) | null>(null);
  images = $state.raw<ReadonlyMap<number, ImageItem>>(new Map());
  classes = $state.raw<ClassInfo[]>([]);
  loaded = $state(false);
  jobId = $state<string | null>(null);
  colourMode = $state<MapColourMode>('class');
  /** The run whose validation predictions colour the points in 'prediction' mode. */
  runId = $state<string | null>(null);
  runs = $state.raw<RunInfo[]>([]);
  predictions = $state.raw<ReadonlyMap<number, string> | null>(null);
  /** The last Suspected-labels search (labelIssues.get), for colouring by issue. */
  issues = $state.raw<MapIssues | null>(null);
  readonly selection = new SvelteSet<number>();

  readonly computing = $derived(this.jobId !== null);
  readonly sortedClasses = $derived([...this.classes].sort((a, b) => a.position - b.position));
  #projectDir: string | null = null;
  #sequence = 0;

  /** The Map is shown for this project: reload, forgetting everything if it is another one. */
  show(dir: string | null): void {
    if (dir !== this.#projectDir) {
      this.#projectDir = dir;
      this.#sequence++;
      this.layout = null;
      this.images = new Map();
      this.classes = [];
      this.loaded = false;
      this.selection.clear();
      this.runId = null;
      this.predictions = null;
      this.issues = null;
    }
    void this.load();
  }

  async load(): Promise<void> {
    if (!project.project) return;
    const sequence = this.#sequence;
    try {
      const api = getApi();
      const [layout, images, classes, runs, issues] = await Promise.all([
        api.invoke('map.get', {}),
        api.invoke('library.list', {}),
        api.invoke('library.classes', {}),
        api.invoke('runs.list', {}),
        api.invoke('labelIssues.get', {}),
      ]);
      if (sequence !== this.#sequence) return;
      this.issues = issues
        ? {
            issues: new Map(issues.issues.map((i) => [i.id, { suggested: i.suggested, score: i.score }])),
            outliers: new Set(issues.outliers.map((o) => o.id)),
          }
        : null;
      this.layout = layout;
      this.images = new Map(images.map((i) => [i.id, i]));
      this.classes = classes;
      this.runs = runs.filter((r) => r.status === 'succeeded');
      if (this.runId === null || !this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0]?.id ?? null;
      for (const id of [...this.selection]) if (!this.images.has(id)) this.selection.delete(id);
      this.loaded = true;
      await this.loadPredictions();
    } catch (error) {
      if (sequence === this.#sequence) notices.error(error);
    }
  }

  /** The selected run's last validation evaluation, as predicted class per image. */
  async loadPredictions(): Promise<void> {
    const runId = this.runId;
    if (!runId) {
      this.predictions = null;
      return;
    }
    const report = await getApi().invoke('eval.get', { runId, split: 'validation' });
    if (runId !== this.runId) return;
    this.predictions = report ? new Map(report.items.map((it) => [it.imageId, report.classes[it.predictedIndex] ?? ''])) : null;
  }

  setRun(runId: string | null): void {
    this.runId = runId;
    void this.loadPredictions().catch((error: unknown) => notices.error(error));
  }

  /** Starts a layout job; the map shows its result when it ends. */
  async compute(seed?: number): Promise<void> {
    if (this.jobId) return;
    const sequence = this.#sequence;
    try {
      const { jobId } = await getApi().invoke('map.layout', seed === undefined ? {} : { seed });
      this.jobId = jobId;
      const job = await jobs.whenFinished(jobId);
      if (sequence !== this.#sequence) return;
      if (job.status === 'succeeded') await this.load();
    } catch (error) {
      notices.error(error);
    } finally {
      if (sequence === this.#sequence) this.jobId = null;
    }
  }

  select(ids: readonly number[]): void {
    this.selection.clear();
    for (const id of ids) this.selection.add(id);
  }

  /** 1–9 on the map: the class at that position in the sidebar, for every selected image (undoable). */
  labelSelection(position: number): void {
    const target = this.sortedClasses[position - 1];
    if (!target) {
      notices.show(position === 1 ? 'Add a class first (in the Library’s sidebar).' : `There is no class ${position}.`, 'error');
      return;
    }
    if (!this.selection.size) {
      notices.show('Select images first: draw a lasso around them (L, or Shift+drag).');
      return;
    }
    void library.assignIds([...this.selection], target.id);
  }

  clearLabels(): void {
    if (this.selection.size) void library.assignIds([...this.selection], null);
  }
}

export const datasetMap = new DatasetMapManager();
