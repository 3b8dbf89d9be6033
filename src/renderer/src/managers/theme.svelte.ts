/** Light, dark, or whatever the system prefers; remembered across launches. */
export type ThemeMode = 'system' | 'light' | 'dark';

const KEY = 'lds.theme';

function readStored(): ThemeMode {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

class ThemeManager {
  mode = $state<ThemeMode>(readStored());
  #systemDark = $state(false);
  readonly effective = $derived<'light' | 'dark'>(this.mode === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.mode);

  constructor() {
    const query = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (query) {
      this.#systemDark = query.matches;
      query.addEventListener('change', (e) => (this.#systemDark = e.matches));
    }
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    try {
      if (mode === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, mode);
    } catch {
      // Private windows may refuse storage; the choice still holds for this session.
    }
  }

  /** The top bar's toggle flips between the two concrete themes. */
  toggle(): void {
    this.set(this.effective === 'dark' ? 'light' : 'dark');
  }
}

export const theme = new ThemeManager();
