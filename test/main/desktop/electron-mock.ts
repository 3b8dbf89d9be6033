/**
 * A stand-in for the parts of Electron the main process and the preload use. Electron's binary
 * cannot run in CI, so tests swap this in with vi.mock('electron') (or, for the built bundles, by
 * intercepting require('electron')). It records what the code asked Electron to do.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;

export class FakeFrame {
  parent: FakeFrame | null = null;
  constructor(public url: string) {}
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  destroyed = false;
  mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly send = vi.fn();
  constructor(url = 'about:blank') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits like Chromium does and reports whether a listener vetoed it. */
  attempt(event: string, url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents: FakeWebContents;
  destroyed = false;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  bounds = { x: 10, y: 20, width: 1280, height: 820 };
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.mainFrame.url = url;
  });
  readonly setProgressBar = vi.fn();
  readonly setBackgroundColor = vi.fn();
  constructor(readonly options: Record<string, unknown>) {
    super();
    this.webContents = new FakeWebContents();
    FakeBrowserWindow.instances.push(this);
  }
  isDestroyed = (): boolean => this.destroyed;
  isVisible = (): boolean => this.visible;
  isMinimized = (): boolean => this.minimized;
  isFocused = (): boolean => this.focused;
  isMaximized = (): boolean => this.maximized;
  getNormalBounds = (): typeof this.bounds => ({ ...this.bounds });
  show = vi.fn(() => {
    this.visible = true;
  });
  focus = vi.fn(() => {
    this.focused = true;
  });
  restore = vi.fn(() => {
    this.minimized = false;
  });
  maximize = vi.fn(() => {
    this.maximized = true;
  });
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle = vi.fn((channel: string, handler: Handler) => {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  });
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
}

class FakeApp extends EventEmitter {
  userData = '/nonexistent';
  appPath = process.cwd();
  isPackaged = false;
  gotLock = true;
  #ready: () => void = () => {};
  readonly readyPromise = new Promise<void>((resolve) => (this.#ready = resolve));
  getPath = vi.fn((name: string) => (name === 'userData' ? this.userData : `/tmp/${name}`));
  setPath = vi.fn((name: string, path: string) => {
    if (name === 'userData') this.userData = path;
  });
  getAppPath = (): string => this.appPath;
  getVersion = (): string => '0.0.0-test';
  getName = (): string => 'Little Data Studio';
  requestSingleInstanceLock = vi.fn(() => this.gotLock);
  whenReady = (): Promise<void> => this.readyPromise;
  quit = vi.fn();
  addRecentDocument = vi.fn();
  becomeReady(): void {
    this.#ready();
  }
}

export const app = new FakeApp();
export const BrowserWindow = FakeBrowserWindow;
export const ipcMain = new FakeIpcMain();
export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
    protocol.handlers.set(scheme, handler);
  }),
};
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
  },
};
export const nativeTheme = Object.assign(new EventEmitter(), { themeSource: 'light', shouldUseDarkColors: true });
export const screen = { getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]) };
export const shell = { openExternal: vi.fn(async () => {}), showItemInFolder: vi.fn(), openPath: vi.fn(async () => '') };
export const dialog = {
  showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
  showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
  showMessageBox: vi.fn(async () => ({ response: 0 })),
  showErrorBox: vi.fn(),
};
export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
};
export class Notification extends EventEmitter {
  static shown: Array<{ title: string; body: string }> = [];
  static isSupported = (): boolean => true;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    Notification.shown.push({ title: this.options.title, body: this.options.body });
  }
}
export const utilityProcess = { fork: vi.fn() };

// Preload side.
export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn(async () => ({ ok: true, output: {} })), send: vi.fn() });
export const webUtils = { getPathForFile: vi.fn((file: { path?: string }) => file.path ?? '') };

export default {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  nativeTheme,
  screen,
  shell,
  dialog,
  Menu,
  Notification,
  utilityProcess,
  contextBridge,
  ipcRenderer,
  webUtils,
};
