import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_DROP, IPC_EVENT, IPC_INVOKE, type InvokeResult } from '@shared/contract';

vi.mock('electron', () => import('./desktop/electron-mock'));

const electron = await import('./desktop/electron-mock');
const { bindIpc } = await import('../../src/main/ipc');
const { Engine } = await import('../../src/main/engine/engine');
const { rendererEntryUrl, rendererUrlMatcher } = await import('../../src/main/desktop/app-origin');

const entry = rendererEntryUrl(undefined);
let dir: string;
let engine: InstanceType<typeof Engine>;
let ours: InstanceType<typeof electron.FakeWebContents>;
let unbind: () => void;
const dropped = vi.fn();

function eventFrom(contents: InstanceType<typeof electron.FakeWebContents>, frame = contents.mainFrame) {
  return { sender: contents, senderFrame: frame };
}

async function invoke(event: unknown, name: unknown, input: unknown): Promise<InvokeResult> {
  const handler = electron.ipcMain.handlers.get(IPC_INVOKE);
  if (!handler) throw new Error('no handler on the invoke channel');
  return (await handler(event, name, input)) as InvokeResult;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-ipc-'));
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: join(dir, 'resources'), version: '0.0.0-test' });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  ours = new electron.FakeWebContents(entry);
  dropped.mockClear();
  unbind = bindIpc({ engine, getWebContents: () => ours as never, isTrustedUrl: rendererUrlMatcher(entry), onDroppedPaths: dropped });
});
afterEach(() => unbind());

describe('the Electron binding of the contract', () => {
  it('answers our window: commands reach the engine, which validates them', async () => {
    const state = await invoke(eventFrom(ours), 'project.state', {});
    expect(state.ok).toBe(true);
    expect(state.ok && (state.output as { version: string }).version).toBe('0.0.0-test');

    const bad = await invoke(eventFrom(ours), 'project.open', { dir: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await invoke(eventFrom(ours), 'fs.readFile', { path: '/etc/passwd' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
  });

  it('refuses another webContents, a subframe, and our window showing a foreign page', async () => {
    const spy = vi.spyOn(engine, 'invoke');
    const stranger = new electron.FakeWebContents(entry);
    const foreign = await invoke(eventFrom(stranger), 'project.state', {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const iframe = new electron.FakeFrame(entry);
    iframe.parent = ours.mainFrame;
    expect(await invoke(eventFrom(ours, iframe), 'project.state', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    ours.mainFrame.url = 'https://evil.example/';
    expect(await invoke(eventFrom(ours), 'project.state', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    ours.mainFrame.url = 'file:///work/main/out/renderer/index.html';
    expect(await invoke(eventFrom(ours), 'project.state', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expect(await invoke({ sender: ours, senderFrame: null }, 'project.state', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    ours.destroyed = true;
    expect(await invoke(eventFrom(ours), 'project.state', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('forwards engine events to our window only, on the event channel', () => {
    engine.events.emit('library.changed', { reason: 'labels' });
    expect(ours.send).toHaveBeenCalledWith(IPC_EVENT, 'library.changed', { reason: 'labels' });
    unbind();
    ours.send.mockClear();
    engine.events.emit('library.changed', { reason: 'labels' });
    expect(ours.send).not.toHaveBeenCalled();
    unbind = bindIpc({ engine, getWebContents: () => ours as never, isTrustedUrl: rendererUrlMatcher(entry) });
  });

  it('passes dropped folders on from our window only, and only as a short list of strings', () => {
    electron.ipcMain.emit(IPC_DROP, eventFrom(new electron.FakeWebContents(entry)), ['/home/a/photos']);
    expect(dropped).not.toHaveBeenCalled();
    electron.ipcMain.emit(IPC_DROP, eventFrom(ours), 'not-a-list');
    electron.ipcMain.emit(
      IPC_DROP,
      eventFrom(ours),
      Array.from({ length: 101 }, (_, i) => `/p/${i}`),
    );
    expect(dropped).not.toHaveBeenCalled();
    electron.ipcMain.emit(IPC_DROP, eventFrom(ours), ['/home/a/photos', 7, '', 'x\0y']);
    expect(dropped).toHaveBeenCalledWith(['/home/a/photos']);
  });

  it('answers the desktop-only commands only when the shell provides them', async () => {
    const result = await engine.invoke('desktop.pickFolder', {});
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('only available in the desktop app') },
    });
    const pick = vi.fn(async () => '/home/a/new-project');
    const desktop = new Engine({
      userDataDir: join(dir, 'user2'),
      resourcesDir: join(dir, 'resources'),
      version: '0',
      desktop: { pickFolder: pick, pickFile: async () => '/home/a/labels.csv', pickSavePath: async () => null, showItemInFolder: () => {} },
    });
    expect(await desktop.invoke('desktop.pickFolder', { purpose: 'new' })).toEqual({ ok: true, output: { path: '/home/a/new-project' } });
    expect(pick).toHaveBeenCalledWith({ purpose: 'new' });
    expect(await desktop.invoke('desktop.pickFile', { filters: [{ name: 'CSV', extensions: ['csv'] }] })).toEqual({
      ok: true,
      output: { path: '/home/a/labels.csv' },
    });
    expect(await desktop.invoke('desktop.pickSavePath', { filters: [{ name: 'x', extensions: ['.zip'] }] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    await desktop.close();
  });
});
