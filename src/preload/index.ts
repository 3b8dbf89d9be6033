/**
 * The sandboxed preload: exposes exactly the contract on window.lds (invoke a command, listen to an
 * event) plus pathForFile for dropped folders, and nothing else of Node or Electron. Names are checked against the contract here so a typo
 * fails at the call site; main checks the sender and validates every input again.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { IPC_DROP, IPC_EVENT, IPC_INVOKE, isCommandName, isEventName, type InvokeResult } from '@shared/contract';

type Listener = (payload: unknown) => void;

const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENT, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`listener for ${name} failed`, error);
    }
  }
});

const bridge = {
  invoke(name: unknown, input: unknown): Promise<unknown> {
    if (!isCommandName(name)) {
      const result: InvokeResult = {
        ok: false,
        error: { code: 'unknown_command', message: `unknown command: ${typeof name === 'string' ? name.slice(0, 64) : typeof name}` },
      };
      return Promise.resolve(result);
    }
    return ipcRenderer.invoke(IPC_INVOKE, name, input);
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event)) throw new TypeError(`unknown event: ${typeof event === 'string' ? event.slice(0, 64) : typeof event}`);
    if (typeof listener !== 'function') throw new TypeError('on(event, listener): listener must be a function');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const fn = listener as Listener;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  },
  /** Where a file the user dropped lives ('' for anything that is not a dropped File). */
  pathForFile(file: unknown): string {
    try {
      return webUtils.getPathForFile(file as File);
    } catch {
      return '';
    }
  },
};

contextBridge.exposeInMainWorld('lds', bridge);

function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

// Folders dropped where the page does not handle drops (it calls preventDefault where it does, e.g.
// the library) still become an import: main imports them or explains why it cannot.
window.addEventListener('dragover', (event) => {
  if (carriesFiles(event)) event.preventDefault();
});
window.addEventListener('drop', (event) => {
  const files = Array.from(event.dataTransfer?.files ?? []);
  if (files.length === 0 || event.defaultPrevented) return;
  event.preventDefault();
  const paths = files.map((file) => webUtils.getPathForFile(file)).filter((p) => p.length > 0);
  if (paths.length > 0) ipcRenderer.send(IPC_DROP, paths);
});
