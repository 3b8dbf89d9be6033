import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;

const stateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Makes a remembered state safe for today's screens: a window last seen on a monitor that is gone
 * is re-centred (position dropped), and the size never exceeds the largest work area.
 */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  const largest = workAreas.reduce<Rect | null>((best, r) => (!best || r.width * r.height > best.width * best.height ? r : best), null);
  const width = Math.max(MIN_WIDTH, largest ? Math.min(state.width, largest.width) : state.width);
  const height = Math.max(MIN_HEIGHT, largest ? Math.min(state.height, largest.height) : state.height);
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x !== undefined && state.y !== undefined) {
    const rect = { x: state.x, y: state.y, width, height };
    // At least a quarter of the window (and its title bar) must be on some screen to keep the position.
    const visible = workAreas.some(
      (area) => overlap(rect, area) >= (width * height) / 4 && state.y! >= area.y && state.y! < area.y + area.height,
    );
    if (visible) {
      fitted.x = state.x;
      fitted.y = state.y;
    }
  }
  return fitted;
}

export function loadWindowState(file: string): WindowState {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : { ...DEFAULT_WINDOW_STATE };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves a half file that loses the state.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, file);
  } catch (error) {
    console.warn(`could not save the window state to ${file}:`, error);
  }
}

/** The slice of BrowserWindow that state tracking needs (so tests can hand in a fake). */
export interface TrackableWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'close' | 'maximize' | 'unmaximize', listener: () => void): unknown;
}

/** Saves bounds shortly after the user stops moving/resizing, and once more on close. */
export function trackWindowState(win: TrackableWindow, file: string, debounceMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const capture = (): void => {
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    saveWindowState(file, { ...bounds, maximized: win.isMaximized() });
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(capture, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, schedule);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    capture();
  });
  return () => {
    if (timer) clearTimeout(timer);
  };
}
