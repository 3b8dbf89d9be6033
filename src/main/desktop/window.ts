import { BrowserWindow, nativeTheme, screen, shell } from 'electron';
import { hardenWebContents, safeWebPreferences } from './security';
import { fitToDisplays, loadWindowState, MIN_HEIGHT, MIN_WIDTH, trackWindowState } from './window-state';

export interface MainWindowOptions {
  preloadPath: string;
  entryUrl: string;
  isTrustedUrl: (url: string) => boolean;
  windowStateFile: string;
  iconPath?: string;
  title?: string;
}

const DARK_BACKGROUND = '#16181d';
const LIGHT_BACKGROUND = '#f7f7f8';

function themeBackground(): string {
  return nativeTheme.shouldUseDarkColors ? DARK_BACKGROUND : LIGHT_BACKGROUND;
}

/** The studio window: safe preferences, remembered bounds, OS theme, hidden until first paint. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  // The renderer follows prefers-color-scheme; 'system' makes that track the OS setting live.
  nativeTheme.themeSource = 'system';
  const state = fitToDisplays(
    loadWindowState(options.windowStateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: options.title ?? 'Little Data Studio',
    backgroundColor: themeBackground(),
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: safeWebPreferences(options.preloadPath),
  });
  hardenWebContents(win.webContents, {
    isTrustedUrl: options.isTrustedUrl,
    openExternal: (url) => void shell.openExternal(url),
  });
  trackWindowState(win, options.windowStateFile);
  const onTheme = (): void => {
    if (!win.isDestroyed()) win.setBackgroundColor(themeBackground());
  };
  nativeTheme.on('updated', onTheme);
  win.on('closed', () => nativeTheme.off('updated', onTheme));
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  void win.loadURL(options.entryUrl);
  return win;
}

/** Brings the window to the front (second launch, notification click). */
export function revealWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
