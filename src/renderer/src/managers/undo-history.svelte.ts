/**
 * Undo and redo of changes that are written asynchronously and may fail: a step whose write fails
 * stays where it was, so pressing Ctrl+Z again retries it rather than skipping it.
 */
export class UndoHistory<C> {
  undoStack = $state.raw<C[]>([]);
  redoStack = $state.raw<C[]>([]);

  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** A new change: the oldest falls off past the limit, and what was undone can no longer be redone. */
  record(change: C): void {
    this.undoStack = [...this.undoStack.slice(-(this.#limit - 1)), change];
    this.redoStack = [];
  }

  /** Writes the newest change's undo with `apply`; resolves with the change when it was undone. */
  undo(apply: (change: C) => Promise<boolean>): Promise<C | null> {
    return this.#step('undoStack', 'redoStack', apply);
  }

  redo(apply: (change: C) => Promise<boolean>): Promise<C | null> {
    return this.#step('redoStack', 'undoStack', apply);
  }

  /** Keeps only the undoable changes that `keep` accepts and forgets the redo side. */
  retain(keep: (change: C) => boolean): void {
    this.undoStack = this.undoStack.filter(keep);
    this.redoStack = [];
  }

  clear(): void {
    this.retain(() => false);
  }

  async #step(from: 'undoStack' | 'redoStack', to: 'undoStack' | 'redoStack', apply: (change: C) => Promise<boolean>): Promise<C | null> {
    const change = this[from].at(-1);
    if (change === undefined) return null;
    this[from] = this[from].slice(0, -1);
    const ok = await apply(change);
    if (ok) this[to] = [...this[to], change];
    else this[from] = [...this[from], change];
    return ok ? change : null;
  }
}
