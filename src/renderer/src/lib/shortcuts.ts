export type ShortcutGroup = { group: string; items: { keys: string[]; text: string }[] };

/** Every Library shortcut, in the order the help overlay lists them. */
export const LIBRARY_SHORTCUTS: ShortcutGroup[] = [
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
      { keys: ['H'], text: 'In the preview: heatmap of what the newest run looks at' },
      { keys: ['?'], text: 'This list' },
    ],
  },
];

/** Keys that work in every place (handled by GlobalKeys). */
export const EVERYWHERE_SHORTCUTS: ShortcutGroup = {
  group: 'Everywhere',
  items: [
    { keys: ['Alt', '1', '…', '6'], text: 'Go to Library, Augment, Train, Runs, Map, Settings' },
    { keys: ['Tab'], text: 'Move between controls (Shift+Tab: back)' },
    { keys: ['?'], text: 'The shortcuts of this place' },
  ],
};

export const MAP_SHORTCUTS: ShortcutGroup[] = [
  {
    group: 'Select on the map',
    items: [
      { keys: ['L'], text: 'Lasso on or off (Shift+drag lassoes too)' },
      { keys: ['Ctrl', 'A'], text: 'Select every point' },
      { keys: ['Esc'], text: 'Clear the selection (also a double click)' },
      { keys: ['drag'], text: 'Pan (wheel: zoom)' },
    ],
  },
  {
    group: 'Label the selection',
    items: [
      { keys: ['1', '…', '9'], text: 'Give the selection the class at that position' },
      { keys: ['0'], text: 'Clear their labels (also Backspace)' },
      { keys: ['Ctrl', 'Z'], text: 'Undo (shared with the Library)' },
      { keys: ['Ctrl', 'Shift', 'Z'], text: 'Redo (also Ctrl+Y)' },
    ],
  },
];

export const AUGMENT_SHORTCUTS: ShortcutGroup[] = [
  {
    group: 'Augment',
    items: [
      { keys: ['R'], text: 'Re-seed: draw a new set of variants' },
      { keys: ['N'], text: 'New sample images' },
    ],
  },
];

export const TRAIN_SHORTCUTS: ShortcutGroup[] = [
  {
    group: 'Train',
    items: [{ keys: ['Ctrl', 'Enter'], text: 'Start training with the chosen mode' }],
  },
];

export const RUNS_SHORTCUTS: ShortcutGroup[] = [
  {
    group: 'Review queue (after “Use the keyboard here”)',
    items: [
      { keys: ['Enter'], text: 'Accept the predicted label' },
      { keys: ['1', '…', '9'], text: 'Correct it to the class at that position' },
      { keys: ['S'], text: 'Skip (also →)' },
      { keys: ['Ctrl', 'Z'], text: 'Undo the last decision (the prediction comes back)' },
      { keys: ['Ctrl', 'Shift', 'Z'], text: 'Redo it (also Ctrl+Y)' },
    ],
  },
  {
    group: 'Mistakes gallery (a focused picture)',
    items: [
      { keys: ['1', '…', '9'], text: 'Relabel it in place' },
      { keys: ['L'], text: 'Open it in the Library (also Enter)' },
      { keys: ['H'], text: 'Heatmaps on or off: what the run looks at (also in Try it)' },
    ],
  },
];

export const SPLIT_KEYS = { t: 'train', v: 'validation', e: 'test', u: 'unassigned' } as const;

/** Keys typed into a field belong to the field, not to the grid. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
