/**
 * The electron-vite production build, loaded the way Electron would load it but with Electron
 * itself swapped for the mock: the sandboxed preload may require nothing but 'electron' and must
 * expose exactly invoke/on; the main bundle must boot to a hardened window serving the renderer.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_DROP, IPC_EVENT, IPC_INVOKE, type InvokeResult } from '@shared/contract';
import { solidJpeg } from '../../fixtures/images';
import * as electron from './electron-mock';

const root = resolve(__dirname, '../../..');
// Inside node_modules so the externalised dependencies of the main bundle resolve as they do in out/.
const cacheDir = join(root, 'node_modules', '.cache');
let outDir: string;
let userData: string;

beforeAll(async () => {
  mkdirSync(cacheDir, { recursive: true });
  // Real path: node_modules may be a symlink (git worktrees share one), and the app resolves its own files.
  outDir = realpathSync(mkdtempSync(join(cacheDir, 'lds-bundle-test-')));
  userData = mkdtempSync(join(tmpdir(), 'lds-bundle-user-'));
  await promisify(execFile)(join(root, 'node_modules', '.bin', 'electron-vite'), ['build', '--outDir', outDir, '--logLevel', 'warn'], {
    cwd: root,
    timeout: 180_000,
  });
}, 200_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
});

interface Bridge {
  invoke(name: unknown, input: unknown): Promise<unknown>;
  on(event: unknown, listener: unknown): () => void;
  pathForFile(file: unknown): string;
}

/** Runs the preload as a sandboxed preload runs: CommonJS with a require that knows only 'electron'. */
function loadPreload(): { bridge: Bridge; windowListeners: Map<string, (event: unknown) => void> } {
  const code = readFileSync(join(outDir, 'preload', 'index.js'), 'utf8');
  const windowListeners = new Map<string, (event: unknown) => void>();
  const fakeWindow = { addEventListener: (type: string, listener: (event: unknown) => void) => windowListeners.set(type, listener) };
  const sandboxRequire = (id: string): unknown => {
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require '${id}'`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', 'window', code)(sandboxRequire, module, module.exports, fakeWindow);
  const call = electron.contextBridge.exposeInMainWorld.mock.calls.at(-1) as [string, Bridge] | undefined;
  if (!call) throw new Error('the preload exposed nothing');
  expect(call[0]).toBe('lds');
  return { bridge: call[1], windowListeners };
}

describe('the built preload', () => {
  it('requires only electron and exposes exactly invoke and on (plus the path of a dropped file)', () => {
    const { bridge } = loadPreload();
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(typeof bridge.invoke).toBe('function');
    expect(typeof bridge.on).toBe('function');
    expect(bridge.pathForFile({ path: '/home/a/cats' })).toBe('/home/a/cats');
    electron.webUtils.getPathForFile.mockImplementationOnce(() => {
      throw new TypeError('not a File');
    });
    expect(bridge.pathForFile('/etc/passwd')).toBe('');
  });

  it('sends known commands over the invoke channel and refuses unknown ones locally', async () => {
    const { bridge } = loadPreload();
    electron.ipcRenderer.invoke.mockClear();
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, output: { images: 0 } });
    await expect(bridge.invoke('library.status', {})).resolves.toEqual({ ok: true, output: { images: 0 } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'library.status', {});
    for (const bad of ['fs.readFile', 42, null, { toString: () => 'library.status' }]) {
      const result = (await bridge.invoke(bad, {})) as InvokeResult;
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    }
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledOnce();
  });

  it('delivers events to listeners until they unsubscribe, and rejects unknown event names', () => {
    const { bridge } = loadPreload();
    const listener = vi.fn();
    const unsubscribe = bridge.on('library.changed', listener);
    electron.ipcRenderer.emit(IPC_EVENT, {}, 'library.changed', { reason: 'labels' });
    electron.ipcRenderer.emit(IPC_EVENT, {}, 'project.changed', { dir: null });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ reason: 'labels' });
    unsubscribe();
    electron.ipcRenderer.emit(IPC_EVENT, {}, 'library.changed', { reason: 'labels' });
    expect(listener).toHaveBeenCalledOnce();
    expect(() => bridge.on('no.such.event', listener)).toThrow(/unknown event/);
    expect(() => bridge.on(7, listener)).toThrow(/unknown event/);
    expect(() => bridge.on('library.changed', 'not a function')).toThrow(/function/);
  });

  it('turns a drop of folders the page did not handle into an import in main', () => {
    const { windowListeners } = loadPreload();
    electron.ipcRenderer.send.mockClear();
    const dragover = { dataTransfer: { types: ['Files'] }, preventDefault: vi.fn() };
    windowListeners.get('dragover')?.(dragover);
    expect(dragover.preventDefault).toHaveBeenCalled();
    const files = [{ path: '/home/a/cats' }, { path: '/home/a/dogs' }];
    // The page handled this drop itself (the library imports through its own panel).
    windowListeners.get('drop')?.({ dataTransfer: { files }, defaultPrevented: true, preventDefault: vi.fn() });
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
    const drop = { dataTransfer: { files }, defaultPrevented: false, preventDefault: vi.fn() };
    windowListeners.get('drop')?.(drop);
    expect(drop.preventDefault).toHaveBeenCalled();
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(IPC_DROP, ['/home/a/cats', '/home/a/dogs']);
  });
});

describe('the built main process and renderer', () => {
  it('boots with electron mocked into one hardened window that serves the built renderer', async () => {
    const userDataEnv = process.env.LDS_USER_DATA;
    process.env.LDS_USER_DATA = userData;
    electron.app.appPath = root;
    electron.FakeBrowserWindow.instances.length = 0;
    const nodeRequire = createRequire(__filename);
    const Module = nodeRequire('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const originalLoad = Module._load;
    const argv = process.argv;
    Module._load = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? electron : originalLoad.call(this, request, ...rest);
    };
    process.argv = [process.execPath];
    try {
      nodeRequire(join(outDir, 'main', 'index.js'));
    } finally {
      Module._load = originalLoad;
      process.argv = argv;
      if (userDataEnv === undefined) delete process.env.LDS_USER_DATA;
      else process.env.LDS_USER_DATA = userDataEnv;
    }
    expect(electron.app.userData).toBe(userData);
    const schemes = electron.protocol.registerSchemesAsPrivileged.mock.calls[0]?.[0] as Array<{
      scheme: string;
      privileges: Record<string, boolean>;
    }>;
    expect(schemes.map((s) => s.scheme).sort()).toEqual(['lds-app', 'lds-image']);
    expect(schemes.every((s) => s.privileges.standard && s.privileges.secure)).toBe(true);
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalled();

    electron.app.becomeReady();
    await vi.waitFor(() => expect(electron.FakeBrowserWindow.instances).toHaveLength(1), { timeout: 20_000 });
    const win = electron.FakeBrowserWindow.instances[0]!;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(existsSync(String(prefs.preload))).toBe(true);
    expect(win.loadURL).toHaveBeenCalledWith('lds-app://studio/index.html');
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalled();
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(electron.session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalled();

    // The renderer's page and every asset it names come through lds-app://, under the CSP.
    const app = electron.protocol.handlers.get('lds-app')!;
    const page = await app(new Request('lds-app://studio/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect((await app(new Request(`lds-app://studio/${asset}`))).status, asset).toBe(200);
    expect((await app(new Request('lds-app://studio/../main/index.js'))).status).toBe(404);

    // No project is open: an image id is simply not found.
    const image = electron.protocol.handlers.get('lds-image')!;
    expect((await image(new Request('lds-image://thumb/1'))).status).toBe(404);

    // The contract answers the window and no one else.
    const invoke = electron.ipcMain.handlers.get(IPC_INVOKE)!;
    const state = (await invoke({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'project.state', {})) as InvokeResult;
    expect(state).toMatchObject({ ok: true, output: { project: null, version: '0.0.0-test' } });
    const stranger = new electron.FakeWebContents('lds-app://studio/index.html');
    expect(await invoke({ sender: stranger, senderFrame: stranger.mainFrame }, 'project.state', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // A real project: a dropped folder is imported, and its images come back by id only.
    const images = join(userData, 'photos', 'cats');
    mkdirSync(images, { recursive: true });
    writeFileSync(join(images, 'a.jpg'), await solidJpeg(64, 48, [10, 120, 200]));
    const ask = async (name: string, input: unknown) =>
      (await invoke({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, name, input)) as InvokeResult;
    expect(await ask('project.open', { dir: join(userData, 'workspace'), create: true })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(electron.app.addRecentDocument).toHaveBeenCalledWith(join(userData, 'workspace')));
    electron.ipcMain.emit(IPC_DROP, { sender: win.webContents, senderFrame: win.webContents.mainFrame }, [join(userData, 'photos')]);
    await vi.waitFor(
      () =>
        expect(win.webContents.send).toHaveBeenCalledWith(
          IPC_EVENT,
          'job.finished',
          expect.objectContaining({ kind: 'import', status: 'succeeded' }),
        ),
      { timeout: 30_000 },
    );
    expect(win.setProgressBar).toHaveBeenLastCalledWith(-1, { mode: 'none' });
    const list = await ask('library.list', {});
    const id = list.ok ? (list.output as Array<{ id: number }>)[0]?.id : undefined;
    expect(id).toBeGreaterThan(0);
    const thumb = await image(new Request(`lds-image://thumb/${id}`));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\//);
    const full = await image(new Request(`lds-image://full/${id}`));
    expect(full.status).toBe(200);
    expect((await full.arrayBuffer()).byteLength).toBeGreaterThan(100);
    expect((await image(new Request(`lds-image://full/${id! + 1000}`))).status).toBe(404);
    expect((await image(new Request(`lds-image://full/${encodeURIComponent(join(images, 'a.jpg'))}`))).status).toBe(404);

    // Training goes to a utilityProcess running the built training entry (nothing forks).
    electron.utilityProcess.fork.mockImplementationOnce(() => {
      throw new Error('utilityProcess.fork called');
    });
    expect(await ask('system.doctor', {})).toMatchObject({ ok: false });
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith(
      join(outDir, 'main', 'training-worker.js'),
      [],
      expect.objectContaining({ stdio: 'pipe' }),
    );

    // Quitting closes the engine first, then quits for real.
    let prevented = false;
    electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
  });
});
