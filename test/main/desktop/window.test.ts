import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-mock'));

const electron = await import('./electron-mock');
const { createMainWindow } = await import('../../../src/main/desktop/window');
const { denyAllPermissions, safeWebPreferences } = await import('../../../src/main/desktop/security');
const { rendererEntryUrl, rendererUrlMatcher } = await import('../../../src/main/desktop/app-origin');

const entryUrl = rendererEntryUrl(undefined);
let dir: string;

function open(): InstanceType<typeof electron.FakeBrowserWindow> {
  createMainWindow({
    preloadPath: '/app/out/preload/index.js',
    entryUrl,
    isTrustedUrl: rendererUrlMatcher(entryUrl),
    windowStateFile: join(dir, 'window-state.json'),
  });
  const win = electron.FakeBrowserWindow.instances.at(-1);
  if (!win) throw new Error('no window was created');
  return win;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-window-'));
  electron.FakeBrowserWindow.instances.length = 0;
  vi.clearAllMocks();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the studio window', () => {
  it('is created with the safe webPreferences and nothing looser', () => {
    const win = open();
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(safeWebPreferences('/app/out/preload/index.js'));
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(win.options.show).toBe(false);
    expect(win.loadURL).toHaveBeenCalledWith('lds-app://studio/index.html');
  });

  it('denies navigation away from the renderer, redirects and webviews', () => {
    const contents = open().webContents;
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.attempt('will-navigate', 'lds-app://other/index.html')).toBe(true);
    expect(contents.attempt('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(contents.attempt('will-attach-webview', 'lds-app://studio/index.html')).toBe(true);
    expect(contents.attempt('will-navigate', 'lds-app://studio/index.html#/library')).toBe(false);
  });

  it('denies every window.open; https links go to the system browser instead', () => {
    const contents = open().webContents;
    const handler = contents.windowOpenHandler;
    expect(handler).not.toBeNull();
    expect(handler!({ url: 'lds-app://studio/index.html' })).toEqual({ action: 'deny' });
    expect(handler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(handler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
    expect(handler!({ url: 'https://keras.io/' })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://keras.io/');
  });

  it('denies every permission request and check', () => {
    const session = electron.session.defaultSession;
    denyAllPermissions(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    const check = session.setPermissionCheckHandler.mock.calls[0]![0] as () => boolean;
    expect(check()).toBe(false);
  });

  it('follows the OS theme', () => {
    open();
    expect(electron.nativeTheme.themeSource).toBe('system');
  });

  it('remembers its bounds across launches, and forgets a position that is off every screen', () => {
    const file = join(dir, 'window-state.json');
    writeFileSync(file, JSON.stringify({ x: 100, y: 50, width: 1000, height: 700, maximized: true }));
    const win = open();
    expect(win.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    win.emit('ready-to-show');
    expect(win.maximize).toHaveBeenCalled();
    expect(win.show).toHaveBeenCalled();

    win.bounds = { x: 300, y: 200, width: 900, height: 640 };
    win.maximized = false;
    win.emit('close');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 300, y: 200, width: 900, height: 640, maximized: false });

    writeFileSync(file, JSON.stringify({ x: 5000, y: 4000, width: 900, height: 640, maximized: false }));
    const again = open();
    expect(again.options.x).toBeUndefined();
    expect(again.options.width).toBe(900);
  });

  it('starts with the default size when the saved state is garbage', () => {
    writeFileSync(join(dir, 'window-state.json'), '{"width": "huge"');
    expect(open().options).toMatchObject({ width: 1280, height: 820 });
  });
});
