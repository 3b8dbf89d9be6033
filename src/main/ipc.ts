import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_DROP, IPC_EVENT, IPC_INVOKE, type InvokeResult } from '@shared/contract';
import type { Engine } from './engine/engine';

export interface IpcOptions {
  engine: Pick<Engine, 'invoke' | 'events'>;
  /** The studio window's webContents; the only one allowed to call. */
  getWebContents: () => WebContents | null;
  /** Is this URL one of our renderer's pages? */
  isTrustedUrl: (url: string) => boolean;
  /** Folders dropped onto the window (paths resolved by the preload). */
  onDroppedPaths?: (paths: string[]) => void;
}

const MAX_DROPPED = 100;

/**
 * Why a message must be refused, or null when it comes from our window's top frame showing our
 * renderer. A page navigated elsewhere, an iframe or another webContents gets nothing.
 */
export function senderProblem(
  event: IpcMainEvent | IpcMainInvokeEvent,
  options: Pick<IpcOptions, 'getWebContents' | 'isTrustedUrl'>,
): string | null {
  const ours = options.getWebContents();
  if (!ours || ours.isDestroyed()) return 'the studio window is not open';
  if (event.sender !== ours) return 'the sender is not the studio window';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'the sender is a subframe';
  if (!options.isTrustedUrl(frame.url)) return `the sender shows a foreign page (${frame.url.slice(0, 100)})`;
  return null;
}

/** Binds the contract to ipcMain: one channel for commands, one for events. Returns an unbind. */
export function bindIpc(options: IpcOptions): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, input: unknown): Promise<InvokeResult> => {
    const problem = senderProblem(event, options);
    if (problem) {
      console.warn(`refused IPC ${String(name).slice(0, 64)}: ${problem}`);
      return { ok: false, error: { code: 'forbidden', message: `Refused: ${problem}.` } };
    }
    // The engine validates the name and the input against the contract's schemas.
    return options.engine.invoke(name, input);
  });

  const onDrop = (event: IpcMainEvent, paths: unknown): void => {
    const problem = senderProblem(event, options);
    if (problem) {
      console.warn(`refused dropped paths: ${problem}`);
      return;
    }
    if (!Array.isArray(paths) || paths.length === 0 || paths.length > MAX_DROPPED) return;
    const clean = paths.filter((p): p is string => typeof p === 'string' && p.length > 0 && p.length <= 4096 && !p.includes('\0'));
    if (clean.length > 0) options.onDroppedPaths?.(clean);
  };
  ipcMain.on(IPC_DROP, onDrop);

  const unsubscribe = options.engine.events.subscribe((event, payload) => {
    const contents = options.getWebContents();
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT, event, payload);
  });

  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeListener(IPC_DROP, onDrop);
    unsubscribe();
  };
}
