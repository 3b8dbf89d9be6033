import { join } from 'node:path';
import { app, dialog, Menu, Notification, protocol, session, shell, type BrowserWindow } from 'electron';
import type { CommandInput, CommandName, RecentProject } from '@shared/contract';
import { defaultUserDataDir } from '../cli/paths';
import { Engine } from '../engine/engine';
import { bindIpc } from '../ipc';
import { contentSecurityPolicy, isMapFramePath, type ReadImage } from '../serving/serving';
import { IMAGE_SCHEME, rendererEntryUrl, rendererUrlMatcher } from './app-origin';
import { desktopServices, showMessage } from './dialogs';
import { buildMenuTemplate } from './menu';
import { RunFinishedNotifier } from './notify';
import { appPaths } from './paths';
import { TaskbarProgress } from './progress';
import { handleProtocols } from './protocols';
import { denyAllPermissions, hardenWebContents, installCspHeader } from './security';
import { folderFromArgv } from './single-instance';
import { UtilityProcessLauncher } from './utility-launcher';
import { createMainWindow, revealWindow } from './window';

export interface StudioAppOptions {
  /** The directory of the built main bundle (out/main). */
  mainDir: string;
  /** electron-vite's dev server, when running `electron-vite dev`. */
  devServerUrl?: string;
}

/** scheme://host, also for custom schemes (WHATWG URL says 'null' for those). */
function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

function argvSkip(): number {
  // `electron .` in development puts the app path after the executable.
  return process.defaultApp ? 2 : 1;
}

function imageReader(engine: Engine): ReadImage {
  return (id, size, signal) => engine.projects.readImage(id, size, signal);
}

/**
 * The desktop shell around the engine: one hardened window, the image protocol, the native menu,
 * dialogs, recent projects, taskbar progress and notifications. index.ts only calls start().
 */
export class StudioApp {
  #engine: Engine | null = null;
  #window: BrowserWindow | null = null;
  readonly #entryUrl: string;
  readonly #isTrustedUrl: (url: string) => boolean;
  readonly #paths: ReturnType<typeof appPaths>;
  #pendingFolder: string | null = null;

  constructor(private readonly options: StudioAppOptions) {
    this.#entryUrl = rendererEntryUrl(options.devServerUrl);
    this.#isTrustedUrl = rendererUrlMatcher(this.#entryUrl);
    this.#paths = appPaths(options.mainDir, app.getAppPath(), app.isPackaged);
  }

  /** The engine behind the window, once the app is ready. */
  get engine(): Engine | null {
    return this.#engine;
  }

  get window(): BrowserWindow | null {
    return this.#window && !this.#window.isDestroyed() ? this.#window : null;
  }

  /** Returns false when another instance already runs (it gets our arguments and comes forward). */
  start(): boolean {
    // One per-user folder for every door: the window, `lds serve` and the CLI share recent projects
    // and the sample workspace (Electron would otherwise use ~/.config/<productName>).
    app.setPath('userData', defaultUserDataDir());
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    this.#pendingFolder = folderFromArgv(process.argv, process.cwd(), argvSkip());
    app.on('second-instance', (_event, argv, cwd) => {
      revealWindow(this.window);
      const folder = folderFromArgv(argv, cwd, argvSkip());
      if (folder) void this.#openProject(folder, false);
    });
    // macOS: a folder dropped on the dock icon, or opened from Finder's "Open With".
    app.on('open-file', (event, path) => {
      event.preventDefault();
      if (this.#engine) void this.#openProject(path, false);
      else this.#pendingFolder = path;
    });
    app.on('web-contents-created', (_event, contents) => {
      hardenWebContents(contents, { isTrustedUrl: this.#isTrustedUrl, openExternal: (url) => void shell.openExternal(url) });
    });
    app.on('window-all-closed', () => {
      if (process.platform !== 'darwin') app.quit();
    });
    app.on('activate', () => {
      if (!this.window && this.#engine) this.#createWindow();
    });
    let closing = false;
    app.on('before-quit', (event) => {
      if (closing || !this.#engine) return;
      // Cancel running jobs and close the catalogue cleanly before the process goes.
      closing = true;
      event.preventDefault();
      void this.#engine.close().finally(() => app.quit());
    });
    void app
      .whenReady()
      .then(() => this.#ready())
      .catch((error: unknown) => {
        // Without this the app would sit there windowless; say what broke and leave.
        dialog.showErrorBox('Little Data Studio could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
        app.quit();
      });
    return true;
  }

  async #ready(): Promise<void> {
    const engine = new Engine({
      userDataDir: app.getPath('userData'),
      resourcesDir: this.#paths.resourcesDir,
      version: app.getVersion(),
      desktop: desktopServices(() => this.window),
      // Training runs in a utilityProcess with the same entry the CLI forks.
      launcher: new UtilityProcessLauncher({ entry: this.#paths.trainingWorker }),
    });
    this.#engine = engine;

    const dev = Boolean(this.options.devServerUrl);
    const page = contentSecurityPolicy({ imageScheme: IMAGE_SCHEME, dev });
    const mapFrame = contentSecurityPolicy({ imageScheme: IMAGE_SCHEME, dev, mapFrame: true });
    const csp = (url: string): string => (isMapFramePath(url) ? mapFrame : page);
    installCspHeader(session.defaultSession, csp);
    denyAllPermissions(session.defaultSession);
    handleProtocols(protocol, {
      rendererDir: this.#paths.rendererDir,
      csp,
      readImage: imageReader(engine),
      appOrigin: originOf(this.#entryUrl),
    });

    bindIpc({
      engine,
      getWebContents: () => this.window?.webContents ?? null,
      isTrustedUrl: this.#isTrustedUrl,
      onDroppedPaths: (paths) => void this.#importFolders(paths),
    });

    const progress = new TaskbarProgress((value, mode) => this.window?.setProgressBar(value, { mode }));
    const notifier = new RunFinishedNotifier({
      isWindowHidden: () => {
        const win = this.window;
        return !win || !win.isVisible() || win.isMinimized() || !win.isFocused();
      },
      show: ({ title, body }) => {
        if (!Notification.isSupported()) return;
        const notification = new Notification({ title, body, icon: this.#paths.icon });
        notification.on('click', () => revealWindow(this.window));
        notification.show();
      },
    });
    engine.events.subscribe((...event) => {
      progress.onEvent(...event);
      notifier.onEvent(...event);
    });
    engine.events.on('project.changed', ({ dir }) => {
      if (dir) app.addRecentDocument(dir);
      void this.#refreshMenu();
    });

    await this.#refreshMenu();
    this.#createWindow();
    const folder = this.#pendingFolder;
    this.#pendingFolder = null;
    if (folder) await this.#openProject(folder, false);
  }

  #createWindow(): void {
    this.#window = createMainWindow({
      preloadPath: this.#paths.preload,
      entryUrl: this.#entryUrl,
      isTrustedUrl: this.#isTrustedUrl,
      windowStateFile: join(app.getPath('userData'), 'window-state.json'),
      iconPath: this.#paths.icon,
    });
  }

  /** Runs a command for a menu/drop action and tells the user in a native box when it fails. */
  async #run<N extends CommandName>(name: N, input: CommandInput<N>, failure: string): Promise<boolean> {
    const engine = this.#engine;
    if (!engine) return false;
    const result = await engine.invoke(name, input);
    if (!result.ok) {
      await showMessage(this.window, 'error', failure, result.error.message);
      return false;
    }
    return true;
  }

  async #openProject(dir: string, create: boolean): Promise<void> {
    revealWindow(this.window);
    await this.#run('project.open', { dir, create }, create ? 'Could not create the project.' : 'Could not open the project.');
  }

  async #importFolders(paths: string[]): Promise<void> {
    await this.#run('library.import', { paths }, 'Could not import the dropped folder.');
  }

  /** Asks for a folder, then acts on it; cancelling does nothing. */
  #pickThen(purpose: 'open' | 'new' | 'import', then: (dir: string) => Promise<void>): void {
    void desktopServices(() => this.window)
      .pickFolder({ purpose })
      .then((dir) => (dir ? then(dir) : undefined));
  }

  async #refreshMenu(): Promise<void> {
    const engine = this.#engine;
    let recent: RecentProject[] = [];
    let projectOpen = false;
    if (engine) {
      try {
        const state = await engine.call('project.state', {});
        recent = state.recent;
        projectOpen = state.project !== null;
      } catch (error) {
        console.warn('could not read the recent projects for the menu:', error);
      }
    }
    const template = buildMenuTemplate(
      {
        newProject: () => this.#pickThen('new', (dir) => this.#openProject(dir, true)),
        openProject: () => this.#pickThen('open', (dir) => this.#openProject(dir, false)),
        openRecent: (dir) => void this.#openProject(dir, false),
        openSample: () => void this.#run('project.openSample', {}, 'Could not open the sample project.'),
        importFolder: () => this.#pickThen('import', (dir) => this.#importFolders([dir])),
        closeProject: () => void this.#run('project.close', {}, 'Could not close the project.'),
        sendToRenderer: (action) => this.#engine?.events.emit('desktop.menu', { action }),
        openDataFolder: () => void shell.openPath(app.getPath('userData')),
      },
      {
        platform: process.platform,
        appName: app.getName(),
        recent,
        projectOpen,
        dev: !app.isPackaged,
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }
}
