/**
 * The desktop shell wired to a real engine (real SQLite, real images), with Electron mocked: second
 * launch, dialogs, show-in-folder, taskbar progress and the run-finished notification.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE, type InvokeResult } from '@shared/contract';
import { solidJpeg } from '../../fixtures/images';

vi.mock('electron', () => import('./electron-mock'));

const electron = await import('./electron-mock');
const { StudioApp } = await import('../../../src/main/desktop/studio-app');

const scratch = mkdtempSync(join(tmpdir(), 'lds-studio-app-'));
const userEnv = process.env.LDS_USER_DATA;
let studio: InstanceType<typeof StudioApp>;

function ourWindow() {
  const win = electron.FakeBrowserWindow.instances[0];
  if (!win) throw new Error('no window');
  return win;
}

async function ask(name: string, input: unknown): Promise<InvokeResult> {
  const win = ourWindow();
  const handler = electron.ipcMain.handlers.get(IPC_INVOKE)!;
  return (await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, name, input)) as InvokeResult;
}

beforeAll(async () => {
  process.env.LDS_USER_DATA = join(scratch, 'user');
  electron.app.appPath = resolve(__dirname, '../../..');
  studio = new StudioApp({ mainDir: join(scratch, 'out', 'main') });
  expect(studio.start()).toBe(true);
  electron.app.becomeReady();
  await vi.waitFor(() => expect(electron.FakeBrowserWindow.instances).toHaveLength(1));
});

afterAll(async () => {
  await studio.engine?.close();
  if (userEnv === undefined) delete process.env.LDS_USER_DATA;
  else process.env.LDS_USER_DATA = userEnv;
  rmSync(scratch, { recursive: true, force: true });
});

describe('the desktop shell', () => {
  it('uses the per-user folder the CLI uses', () => {
    expect(electron.app.setPath).toHaveBeenCalledWith('userData', join(scratch, 'user'));
  });

  it('a second launch brings the window forward and opens the folder it names', async () => {
    const project = join(scratch, 'project');
    mkdirSync(project);
    // Not a workspace yet: the open fails and the user is told why in a native box.
    electron.app.emit('second-instance', {}, ['/opt/lds/lds', project], scratch);
    await vi.waitFor(() => expect(electron.dialog.showMessageBox).toHaveBeenCalled());
    expect(ourWindow().show).toHaveBeenCalled();
    expect(ourWindow().focus).toHaveBeenCalled();

    expect(await ask('project.open', { dir: project, create: true })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(electron.app.addRecentDocument).toHaveBeenCalledWith(project));
    // The menu was rebuilt with the project open (Import Folder… enabled).
    const template = electron.Menu.buildFromTemplate.mock.calls.at(-1)?.[0] as Array<{
      submenu?: Array<{ label?: string; enabled?: boolean }>;
    }>;
    const importItem = template.flatMap((m) => m.submenu ?? []).find((i) => i.label === 'Import Folder…');
    expect(importItem?.enabled).toBe(true);
  });

  it('answers the desktop commands with native dialogs and the file manager', async () => {
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/a/photos'] });
    expect(await ask('desktop.pickFolder', { purpose: 'import' })).toEqual({ ok: true, output: { path: '/home/a/photos' } });
    expect(electron.dialog.showOpenDialog).toHaveBeenCalledWith(ourWindow(), expect.objectContaining({ properties: ['openDirectory'] }));
    expect(await ask('desktop.pickSavePath', { defaultName: 'model.zip' })).toEqual({ ok: true, output: { path: null } });
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/a/labels.csv'] });
    const csvFilter = [{ name: 'CSV files', extensions: ['csv', 'tsv', 'txt'] }];
    expect(await ask('desktop.pickFile', { filters: csvFilter })).toEqual({ ok: true, output: { path: '/home/a/labels.csv' } });
    expect(electron.dialog.showOpenDialog).toHaveBeenLastCalledWith(
      ourWindow(),
      expect.objectContaining({ properties: ['openFile'], filters: csvFilter }),
    );

    const photos = join(scratch, 'photos', 'cats');
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(photos, 'one.jpg'), await solidJpeg(32, 32, [250, 10, 10]));
    const started = await ask('library.import', { paths: [join(scratch, 'photos')] });
    expect(started).toMatchObject({ ok: true });
    await vi.waitFor(async () => {
      const list = await ask('library.list', {});
      expect(list.ok && (list.output as unknown[]).length).toBe(1);
    });
    // Import progress reached the taskbar and was cleared at the end.
    await vi.waitFor(() => expect(ourWindow().setProgressBar).toHaveBeenLastCalledWith(-1, { mode: 'none' }));
    const list = await ask('library.list', {});
    const id = (list.ok ? (list.output as Array<{ id: number }>) : [])[0]!.id;
    expect(await ask('desktop.showInFolder', { imageId: id })).toEqual({ ok: true, output: { ok: true } });
    expect(electron.shell.showItemInFolder).toHaveBeenCalledWith(join(photos, 'one.jpg'));
    expect(await ask('desktop.showInFolder', { imageId: id + 100 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('notifies when a run finishes while the window is in the background', () => {
    const win = ourWindow();
    win.visible = true;
    win.focused = true;
    electron.Notification.shown.length = 0;
    studio.engine!.events.emit('run.finished', { runId: 'r1', status: 'succeeded', error: null, valAccuracy: 0.5 });
    expect(electron.Notification.shown).toHaveLength(0);
    win.focused = false;
    studio.engine!.events.emit('run.finished', { runId: 'r2', status: 'failed', error: 'out of memory', valAccuracy: null });
    expect(electron.Notification.shown).toEqual([{ title: 'Training failed', body: 'Run r2: out of memory' }]);
  });

  it('refuses to run twice: without the single-instance lock it quits', () => {
    electron.app.gotLock = false;
    electron.app.quit.mockClear();
    expect(new StudioApp({ mainDir: join(scratch, 'out', 'main') }).start()).toBe(false);
    expect(electron.app.quit).toHaveBeenCalled();
    electron.app.gotLock = true;
  });
});
