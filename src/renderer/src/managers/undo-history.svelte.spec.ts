import { describe, expect, it } from 'vitest';
import { UndoHistory } from './undo-history.svelte';

const writes =
  (log: string[], fail = new Set<string>()) =>
  async (change: string) => {
    log.push(change);
    return !fail.has(change);
  };

describe('UndoHistory', () => {
  it('undoes newest first, redoes in order, and a new change forgets the redo side', async () => {
    const history = new UndoHistory<string>(10);
    const log: string[] = [];
    for (const c of ['a', 'b', 'c']) history.record(c);
    expect(await history.undo(writes(log))).toBe('c');
    expect(await history.undo(writes(log))).toBe('b');
    expect([history.undoStack, history.redoStack]).toEqual([['a'], ['c', 'b']]);
    expect(await history.redo(writes(log))).toBe('b');
    expect(log).toEqual(['c', 'b', 'b']);
    history.record('d');
    expect([history.undoStack, history.redoStack]).toEqual([['a', 'b', 'd'], []]);
  });

  it('keeps a step whose write failed where it was, so the next Ctrl+Z retries it', async () => {
    const history = new UndoHistory<string>(10);
    history.record('a');
    history.record('b');
    expect(await history.undo(writes([], new Set(['b'])))).toBeNull();
    expect([history.undoStack, history.redoStack]).toEqual([['a', 'b'], []]);
    expect(await history.undo(writes([]))).toBe('b');
    expect(await history.redo(writes([], new Set(['b'])))).toBeNull();
    expect([history.undoStack, history.redoStack]).toEqual([['a'], ['b']]);
  });

  it('does nothing with nothing to undo or redo', async () => {
    const history = new UndoHistory<string>(10);
    const log: string[] = [];
    expect(await history.undo(writes(log))).toBeNull();
    expect(await history.redo(writes(log))).toBeNull();
    expect(log).toEqual([]);
  });

  it('remembers at most `limit` changes, dropping the oldest', () => {
    const history = new UndoHistory<number>(3);
    for (let i = 1; i <= 5; i++) history.record(i);
    expect(history.undoStack).toEqual([3, 4, 5]);
  });

  it('retain keeps the accepted undo steps and forgets redo; clear forgets all', async () => {
    const history = new UndoHistory<string>(10);
    for (const c of ['label 1', 'split 1', 'label 2', 'split 2']) history.record(c);
    await history.undo(writes([]));
    history.retain((c) => c.startsWith('split'));
    expect([history.undoStack, history.redoStack]).toEqual([['split 1'], []]);
    history.clear();
    expect(history.undoStack).toEqual([]);
  });
});
