/** Every Library shortcut, in the order the help overlay lists them. */
export const LIBRARY_SHORTCUTS: { group: string; items: { keys: string[]; text: string }[] }[] = [
  {
    group: 'Label',
    items: [
      { keys: ['1', '…', '9'], text: 'Give the selection the class at that position' },
      { keys: ['0'], text: 'Clear the label (also Backspace)' },
      { keys: ['Ctrl', 'Z'], text: 'Undo' },
      { keys: ['Ctrl', 'Shift', 'Z'], text: 'Redo (also Ctrl+Y)' },
    ],
  },
  {
    group: 'Move and select',
    items: [
      { keys: ['←', '→', '↑', '↓'], text: 'Move' },
      { keys: ['Shift', 'arrows'], text: 'Extend the selection' },
      { keys: ['Ctrl', 'arrows'], text: 'Move without selecting' },
      { keys: ['Ctrl', 'Space'], text: 'Add or remove the current image' },
      { keys: ['Shift', 'click'], text: 'Select a range' },
      { keys: ['Ctrl', 'click'], text: 'Add or remove one image' },
      { keys: ['Ctrl', 'A'], text: 'Select everything shown' },
      { keys: ['Home'], text: 'First image (End: last)' },
      { keys: ['PgUp'], text: 'One screen up (PgDn: down)' },
      { keys: ['Esc'], text: 'Select only the current image' },
    ],
  },
  {
    group: 'Splits',
    items: [
      { keys: ['T'], text: 'Move the selection to train' },
      { keys: ['V'], text: 'Move the selection to validation' },
      { keys: ['E'], text: 'Move the selection to test' },
      { keys: ['U'], text: 'Move the selection to unassigned' },
    ],
  },
  {
    group: 'View',
    items: [
      { keys: ['Space'], text: 'Large preview (arrows move, Space or Esc closes)' },
      { keys: ['?'], text: 'This list' },
    ],
  },
];

export const SPLIT_KEYS = { t: 'train', v: 'validation', e: 'test', u: 'unassigned' } as const;

/** Keys typed into a field belong to the field, not to the grid. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
