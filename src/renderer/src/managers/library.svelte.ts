import { SvelteSet } from 'svelte/reactivity';
import type { ClassInfo, ImageItem, LabelEntry, LibraryFilter, Split, SplitEntry } from '@shared/contract';
import { getApi } from '../lib/api';
import { notices } from './notices.svelte';
import { project } from './project.svelte';
import { UndoHistory } from './undo-history.svelte';

/** One undoable change, stored as exactly what to write back (previous values from the engine). */
type Change =
  | { kind: 'labels'; before: LabelEntry[]; after: LabelEntry[]; text: string }
  | { kind: 'splits'; before: SplitEntry[]; after: SplitEntry[]; text: string };

const UNDO_LIMIT = 200;

export type ClassFilter = number | 'unlabelled' | null;

/**
 * The Library's state: what is listed (with its filters), what is selected, where the keyboard
 * cursor is, and the undo/redo history of label and split changes.
 */
class LibraryManager {
  classes = $state<ClassInfo[]>([]);
  /** Raw: thousands of items, replaced wholesale rather than mutated, so no deep proxies. */
  images = $state.raw<ImageItem[]>([]);
  loading = $state(false);
  loaded = $state(false);

  classFilter = $state<ClassFilter>(null);
  splitFilter = $state<Split | null>(null);
  statusFilter = $state<LibraryFilter>('all');
  /**
   * Images per split under the class and status filters (the split filter aside), so the split
   * buttons count what they would show; null when no filter is set (the project's totals apply).
   */
  filteredSplitCounts = $state.raw<Record<Split, number> | null>(null);

  readonly selection = new SvelteSet<number>();
  cursorId = $state<number | null>(null);
  anchorId = $state<number | null>(null);
  /** Set by the grid from its width, so Up/Down move by one row. */
  columns = $state(1);

  previewOpen = $state(false);
  helpOpen = $state(false);

  readonly history = new UndoHistory<Change>(UNDO_LIMIT);

  readonly sortedClasses = $derived([...this.classes].sort((a, b) => a.position - b.position));
  readonly classById = $derived(new Map(this.classes.map((c) => [c.id, c])));
  readonly indexById = $derived(new Map(this.images.map((image, index) => [image.id, index])));
  readonly cursorIndex = $derived(this.cursorId === null ? -1 : (this.indexById.get(this.cursorId) ?? -1));
  readonly cursorImage = $derived(this.cursorIndex >= 0 ? this.images[this.cursorIndex] : undefined);
  readonly hasFilters = $derived(this.classFilter !== null || this.splitFilter !== null || this.statusFilter !== 'all');

  #sequence = 0;
  /** Label and split writes run one after another, so Ctrl+Z right after a key undoes that key. */
  #chain: Promise<unknown> = Promise.resolve();
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;

  /** Debounced: a burst of library.changed events (an import) refetches once. */
  scheduleReload(delay = 120): void {
    if (this.#reloadTimer) clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = null;
      void this.load();
    }, delay);
  }

  async load(): Promise<void> {
    if (!project.project) return;
    const sequence = ++this.#sequence;
    this.loading = true;
    try {
      const api = getApi();
      const narrowed = this.classFilter !== null || this.statusFilter !== 'all';
      const [classes, images, acrossSplits] = await Promise.all([
        api.invoke('library.classes', {}),
        api.invoke('library.list', { classId: this.classFilter, split: this.splitFilter, filter: this.statusFilter }),
        narrowed && this.splitFilter !== null
          ? api.invoke('library.list', { classId: this.classFilter, split: null, filter: this.statusFilter })
          : null,
      ]);
      if (sequence !== this.#sequence) return;
      this.classes = classes;
      this.images = images;
      this.filteredSplitCounts = narrowed ? countSplits(acrossSplits ?? images) : null;
      this.loaded = true;
      this.#reconcileSelection();
    } catch (error) {
      if (sequence === this.#sequence) notices.error(error);
    } finally {
      if (sequence === this.#sequence) this.loading = false;
    }
  }

  #projectDir: string | null = null;

  /** The Library is shown for this project: reload, and forget everything if it is another one. */
  show(dir: string | null): void {
    if (dir !== this.#projectDir) {
      this.#projectDir = dir;
      this.reset();
    }
    void this.load();
  }

  /** Called when a project is closed or another opened: nothing of the old one may leak. */
  reset(): void {
    this.#sequence++;
    this.classes = [];
    this.images = [];
    this.loaded = false;
    this.selection.clear();
    this.cursorId = this.anchorId = null;
    this.history.clear();
    this.classFilter = null;
    this.splitFilter = null;
    this.statusFilter = 'all';
    this.filteredSplitCounts = null;
    this.previewOpen = false;
  }

  setFilters(filters: { classId?: ClassFilter; split?: Split | null; status?: LibraryFilter }): void {
    if (filters.classId !== undefined) this.classFilter = filters.classId;
    if (filters.split !== undefined) this.splitFilter = filters.split;
    if (filters.status !== undefined) this.statusFilter = filters.status;
    void this.load();
  }

  #reconcileSelection(): void {
    for (const id of [...this.selection]) if (!this.indexById.has(id)) this.selection.delete(id);
    if (this.cursorId !== null && !this.indexById.has(this.cursorId)) this.cursorId = null;
    if (this.cursorId === null && this.images.length) this.cursorId = this.images[0]!.id;
    if (this.anchorId === null || !this.indexById.has(this.anchorId)) this.anchorId = this.cursorId;
  }

  // ---- selection and cursor ----

  /** The images an action applies to: the selection, or the cursor's image when nothing is selected. */
  targetIds(): number[] {
    if (this.selection.size) return this.images.filter((im) => this.selection.has(im.id)).map((im) => im.id);
    return this.cursorId !== null ? [this.cursorId] : [];
  }

  click(id: number, mode: 'replace' | 'toggle' | 'range'): void {
    if (mode === 'toggle') {
      if (this.selection.has(id)) this.selection.delete(id);
      else this.selection.add(id);
      this.anchorId = id;
    } else if (mode === 'range' && this.anchorId !== null) {
      this.#selectRange(this.anchorId, id);
    } else {
      this.selection.clear();
      this.selection.add(id);
      this.anchorId = id;
    }
    this.cursorId = id;
  }

  /** Moves the cursor by an index delta; 'extend' grows the selection, 'cursor' leaves it alone. */
  move(delta: number, mode: 'replace' | 'extend' | 'cursor' = 'replace'): void {
    if (!this.images.length) return;
    const from = this.cursorIndex < 0 ? 0 : this.cursorIndex;
    const to = Math.max(0, Math.min(this.images.length - 1, from + delta));
    this.moveTo(to, mode);
  }

  moveTo(index: number, mode: 'replace' | 'extend' | 'cursor' = 'replace'): void {
    const image = this.images[index];
    if (!image) return;
    this.cursorId = image.id;
    if (mode === 'extend') {
      this.#selectRange(this.anchorId ?? image.id, image.id);
    } else if (mode === 'replace') {
      this.selection.clear();
      this.selection.add(image.id);
      this.anchorId = image.id;
    }
  }

  toggleCursor(): void {
    if (this.cursorId !== null) this.click(this.cursorId, 'toggle');
  }

  selectAll(): void {
    for (const image of this.images) this.selection.add(image.id);
  }

  clearSelection(): void {
    this.selection.clear();
    if (this.cursorId !== null) this.selection.add(this.cursorId);
  }

  #selectRange(fromId: number, toId: number): void {
    const a = this.indexById.get(fromId) ?? 0;
    const b = this.indexById.get(toId) ?? 0;
    this.selection.clear();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) this.selection.add(this.images[i]!.id);
    this.anchorId = fromId;
  }

  // ---- labels and splits (undoable) ----

  /** 1–9: the class at that position in the sidebar. */
  assignByPosition(position: number): void {
    const target = this.sortedClasses[position - 1];
    if (!target) {
      notices.show(position === 1 ? 'Add a class first (the + in the sidebar).' : `There is no class ${position}.`, 'error');
      return;
    }
    void this.assign(target.id);
  }

  async assign(classId: number | null): Promise<void> {
    const ids = this.targetIds();
    if (!ids.length) return;
    // Labelling one image at a time is the common flow: step on so the next key labels the next one.
    if (ids.length === 1 && !this.previewOpen) this.move(1);
    await this.assignIds(ids, classId);
  }

  /** Labels these images (the Map's lasso, not the grid's selection), undoable like a key in the grid. */
  async assignIds(ids: readonly number[], classId: number | null): Promise<void> {
    if (!ids.length) return;
    const after: LabelEntry[] = ids.map((imageId) => ({ imageId, classId, source: 'manual', confidence: null }));
    const name = classId === null ? 'no class' : (this.classById.get(classId)?.name ?? 'class');
    const text = `${ids.length === 1 ? '1 image' : `${ids.length} images`} → ${name}`;
    await this.#serial(() => this.#applyLabels(after, text, true));
  }

  async moveToSplit(split: Split): Promise<void> {
    const ids = this.targetIds();
    if (!ids.length) return;
    const after: SplitEntry[] = ids.map((imageId) => ({ imageId, split }));
    await this.#serial(() => this.#applySplits(after, `${ids.length === 1 ? '1 image' : `${ids.length} images`} → ${split}`, true));
  }

  undo(): Promise<void> {
    return this.#serial(async () => {
      const change = await this.history.undo((c) => this.#rewrite(c, 'before'));
      if (change) notices.show(`Undone: ${change.text}`);
    });
  }

  redo(): Promise<void> {
    return this.#serial(async () => {
      const change = await this.history.redo((c) => this.#rewrite(c, 'after'));
      if (change) notices.show(`Redone: ${change.text}`);
    });
  }

  #rewrite(change: Change, side: 'before' | 'after'): Promise<boolean> {
    return change.kind === 'labels'
      ? this.#applyLabels(change[side], change.text, false)
      : this.#applySplits(change[side], change.text, false);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => {});
    return run;
  }

  async #applyLabels(entries: LabelEntry[], text: string, record: boolean): Promise<boolean> {
    const byId = new Map(entries.map((e) => [e.imageId, e]));
    // Optimistic: the tile changes colour at once; the refetch after library.changed confirms it.
    this.images = this.images.map((im) => {
      const e = byId.get(im.id);
      return e ? { ...im, classId: e.classId, labelSource: e.classId === null ? null : e.source, confidence: e.confidence } : im;
    });
    try {
      const { previous } = await getApi().invoke('library.applyLabels', { entries });
      if (record) this.history.record({ kind: 'labels', before: previous, after: entries, text });
      return true;
    } catch (error) {
      notices.error(error);
      void this.load();
      return false;
    }
  }

  async #applySplits(entries: SplitEntry[], text: string, record: boolean): Promise<boolean> {
    const byId = new Map(entries.map((e) => [e.imageId, e.split]));
    this.images = this.images.map((im) => (byId.has(im.id) ? { ...im, split: byId.get(im.id)! } : im));
    try {
      const { previous } = await getApi().invoke('library.applySplits', { entries });
      if (record) this.history.record({ kind: 'splits', before: previous, after: entries, text });
      return true;
    } catch (error) {
      notices.error(error);
      void this.load();
      return false;
    }
  }

  // ---- classes ----

  async addClass(name: string): Promise<boolean> {
    return this.#classAction(() => getApi().invoke('classes.add', { name }));
  }

  async renameClass(id: number, name: string): Promise<boolean> {
    return this.#classAction(() => getApi().invoke('classes.update', { id, name }));
  }

  async recolourClass(id: number, colour: string): Promise<boolean> {
    return this.#classAction(() => getApi().invoke('classes.update', { id, colour }));
  }

  async moveClass(id: number, delta: -1 | 1): Promise<boolean> {
    const ids = this.sortedClasses.map((c) => c.id);
    const from = ids.indexOf(id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= ids.length) return false;
    [ids[from], ids[to]] = [ids[to]!, ids[from]!];
    return this.#classAction(() => getApi().invoke('classes.reorder', { ids }));
  }

  async deleteClass(id: number, moveLabelsTo: number | null): Promise<boolean> {
    if (this.classFilter === id) this.classFilter = null;
    // Labels change underneath any recorded change: undoing across a deletion would resurrect a dead class id.
    this.history.retain((c) => c.kind === 'splits');
    return this.#classAction(() => getApi().invoke('classes.delete', { id, moveLabelsTo }));
  }

  async #classAction(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      await this.load();
      return true;
    } catch (error) {
      notices.error(error);
      return false;
    }
  }
}

export const library = new LibraryManager();

function countSplits(images: readonly ImageItem[]): Record<Split, number> {
  const counts: Record<Split, number> = { train: 0, validation: 0, test: 0, unassigned: 0 };
  for (const image of images) counts[image.split]++;
  return counts;
}
