import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '@shared/contract';

vi.mock('electron', () => import('./electron-mock'));

const electron = await import('./electron-mock');
const { buildMenuTemplate } = await import('../../../src/main/desktop/menu');
const { TaskbarProgress } = await import('../../../src/main/desktop/progress');
const { RunFinishedNotifier } = await import('../../../src/main/desktop/notify');
const { folderFromArgv } = await import('../../../src/main/desktop/single-instance');
const { UtilityProcessLauncher } = await import('../../../src/main/desktop/utility-launcher');
const { appPaths } = await import('../../../src/main/desktop/paths');

const tmp = mkdtempSync(join(tmpdir(), 'lds-native-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function handlers() {
  return {
    newProject: vi.fn(),
    openProject: vi.fn(),
    openRecent: vi.fn(),
    openSample: vi.fn(),
    importFolder: vi.fn(),
    closeProject: vi.fn(),
    sendToRenderer: vi.fn(),
    openDataFolder: vi.fn(),
  };
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('application menu', () => {
  const recent = [
    { dir: '/home/a/cats', name: 'cats', openedAt: '2026-01-01T00:00:00Z', exists: true },
    { dir: '/home/a/gone', name: 'gone', openedAt: '2026-01-01T00:00:00Z', exists: false },
  ];

  it('has File/Edit/View/Help with the shortcuts, and undo/redo go to the renderer', () => {
    const h = handlers();
    const template = buildMenuTemplate(h, { platform: 'linux', appName: 'LDS', recent, projectOpen: true, dev: false });
    expect(template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const items = flatten(template);
    const byLabel = (label: string) => items.find((i) => i.label === label);
    expect(byLabel('Open Project…')?.accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel('New Project…')?.accelerator).toBe('CmdOrCtrl+N');
    expect(byLabel('Import Folder…')?.accelerator).toBe('CmdOrCtrl+I');
    const undo = byLabel('Undo');
    const redo = byLabel('Redo');
    expect(undo).toMatchObject({ accelerator: 'CmdOrCtrl+Z', registerAccelerator: false });
    expect(redo).toMatchObject({ accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false });
    click(undo);
    click(redo);
    click(byLabel('Keyboard Shortcuts'));
    expect(h.sendToRenderer.mock.calls).toEqual([['undo'], ['redo'], ['showShortcuts']]);
    click(byLabel('Open Project…'));
    click(byLabel('Import Folder…'));
    expect(h.openProject).toHaveBeenCalledOnce();
    expect(h.importFolder).toHaveBeenCalledOnce();
    // Developer tools only in development builds.
    expect(items.some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(items.some((i) => i.role === 'quit')).toBe(true);
  });

  it('lists recent projects that still exist and opens them', () => {
    const h = handlers();
    const items = flatten(buildMenuTemplate(h, { platform: 'linux', appName: 'LDS', recent, projectOpen: false, dev: true }));
    const cats = items.find((i) => typeof i.label === 'string' && i.label.startsWith('cats'));
    expect(items.some((i) => typeof i.label === 'string' && i.label.startsWith('gone'))).toBe(false);
    click(cats);
    expect(h.openRecent).toHaveBeenCalledWith('/home/a/cats');
    expect(items.find((i) => i.label === 'Import Folder…')?.enabled).toBe(false);
    expect(items.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('uses the app and window menus on macOS', () => {
    const template = buildMenuTemplate(handlers(), { platform: 'darwin', appName: 'LDS', recent: [], projectOpen: false, dev: false });
    expect(template[0]?.role).toBe('appMenu');
    expect(template.some((m) => m.role === 'windowMenu')).toBe(true);
    expect(flatten(template).find((i) => i.label === 'No recent projects')?.enabled).toBe(false);
  });
});

function job(id: string, done: number, total: number, extra: Partial<JobInfo> = {}): JobInfo {
  return { id, kind: 'import', label: id, status: 'running', done, total, message: null, startedAt: '', error: null, ...extra };
}

describe('taskbar progress', () => {
  it('shows the combined progress of running jobs and clears when they end', () => {
    const set = vi.fn();
    const progress = new TaskbarProgress(set);
    progress.onEvent('job.progress', job('a', 25, 100));
    expect(set).toHaveBeenLastCalledWith(0.25, 'normal');
    progress.onEvent('job.progress', job('b', 75, 100));
    expect(set).toHaveBeenLastCalledWith(0.5, 'normal');
    progress.onEvent('job.progress', job('b', 75, 100));
    expect(set).toHaveBeenCalledTimes(2);
    progress.onEvent('job.progress', job('c', 0, 0));
    expect(set).toHaveBeenLastCalledWith(2, 'indeterminate');
    progress.onEvent('job.finished', { ...job('c', 0, 0, { status: 'succeeded' }), result: null });
    progress.onEvent('job.finished', { ...job('b', 100, 100, { status: 'failed' }), result: null });
    expect(set).toHaveBeenLastCalledWith(0.25, 'normal');
    progress.onEvent('library.changed', { reason: 'x' });
    progress.onEvent('job.finished', { ...job('a', 100, 100, { status: 'succeeded' }), result: null });
    expect(set).toHaveBeenLastCalledWith(-1, 'none');
  });
});

describe('run-finished notification', () => {
  it('notifies on run.finished only while the window is hidden, and never twice for one run', () => {
    let hidden = false;
    const show = vi.fn();
    const notifier = new RunFinishedNotifier({ isWindowHidden: () => hidden, show });
    const finished = (status: 'succeeded' | 'failed', valAccuracy: number | null, error: string | null = null) => ({
      runId: 'r12',
      status,
      error,
      valAccuracy,
    });
    notifier.onEvent('run.finished', finished('succeeded', 0.912));
    expect(show).not.toHaveBeenCalled();
    hidden = true;
    notifier.onEvent('run.finished', finished('succeeded', 0.912));
    notifier.onEvent('run.finished', finished('failed', null, 'out of memory'));
    // The training job's own job.finished must not ping a second time.
    notifier.onEvent('job.finished', { ...job('t', 1, 1, { kind: 'train', status: 'succeeded' }), result: null });
    expect(show.mock.calls.map((c) => c[0])).toEqual([
      { title: 'Training finished', body: 'Run r12 — validation accuracy 91.2 %' },
      { title: 'Training failed', body: 'Run r12: out of memory' },
    ]);
  });
});

describe('second launch', () => {
  it('finds the folder named on the command line', () => {
    const project = join(tmp, 'project');
    mkdirSync(project);
    expect(folderFromArgv(['/opt/lds/lds', '--no-sandbox', 'project'], tmp)).toBe(project);
    expect(folderFromArgv(['/opt/lds/lds', project], '/')).toBe(project);
    expect(folderFromArgv(['/opt/lds/lds', 'missing', '--flag'], tmp)).toBeNull();
    // `electron .` in development: the app path is not a project.
    expect(folderFromArgv(['electron', tmp], tmp, 2)).toBeNull();
  });
});

describe('packaged paths', () => {
  it('reads resources from the unpacked asar, bundles from out/', () => {
    const packed = appPaths('/opt/lds/resources/app.asar/out/main', '/opt/lds/resources/app.asar', true);
    expect(packed.resourcesDir).toBe('/opt/lds/resources/app.asar.unpacked/resources');
    expect(packed.preload).toBe('/opt/lds/resources/app.asar/out/preload/index.js');
    expect(packed.trainingWorker).toBe('/opt/lds/resources/app.asar/out/main/training-worker.js');
    expect(appPaths('/src/lds/out/main', '/src/lds', false).resourcesDir).toBe('/src/lds/resources');
  });
});

describe('training in a utilityProcess', () => {
  it('forks the training entry and relays messages, output and exit', () => {
    class FakeChild extends EventEmitter {
      pid = 4242;
      stdout = new EventEmitter();
      stderr = new EventEmitter();
      postMessage = vi.fn();
      kill = vi.fn(() => true);
    }
    const child = new FakeChild();
    electron.utilityProcess.fork.mockReturnValue(child);
    const output = vi.fn();
    const handle = new UtilityProcessLauncher({ entry: '/app/out/main/training-worker.js', onOutput: output }).launch();
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith(
      '/app/out/main/training-worker.js',
      [],
      expect.objectContaining({ stdio: 'pipe', env: expect.objectContaining({ LDS_TRAINING_PROCESS: 'utility' }) }),
    );
    expect(handle.pid).toBe(4242);
    const messages = vi.fn();
    handle.onMessage(messages);
    child.emit('message', { type: 'ready', pid: 4242 });
    expect(messages).toHaveBeenCalledWith({ type: 'ready', pid: 4242 });
    handle.send({ type: 'cancel' });
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'cancel' });
    child.stderr.emit('data', Buffer.from('warning\n'));
    expect(output).toHaveBeenCalledWith('stderr', 'warning\n');
    const exit = vi.fn();
    handle.onExit(exit);
    child.emit('error', 'FatalError', 'v8::OOM');
    child.emit('exit', 134);
    expect(exit).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledWith(null, 'FatalError');
    handle.send({ type: 'cancel' });
    handle.kill();
    expect(child.postMessage).toHaveBeenCalledOnce();
    expect(child.kill).not.toHaveBeenCalled();
  });
});
