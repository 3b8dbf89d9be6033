import { existsSync } from 'node:fs';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** What only the Electron shell can do; index.ts provides it, browser mode and the CLI do not. */
export interface DesktopServices {
  pickFolder(options: { title?: string; purpose: 'open' | 'new' | 'import' }): Promise<string | null>;
  pickSavePath(options: { title?: string; defaultName?: string; filters?: FileFilter[] }): Promise<string | null>;
  pickFile(options: { title?: string; filters?: FileFilter[] }): Promise<string | null>;
  showItemInFolder(path: string): void;
}

function unavailable(): never {
  throw new EngineError('forbidden', 'This is only available in the desktop app; type the path instead.');
}

export function desktopHandlers(
  engine: Engine,
): HandlerMap<'desktop.pickFolder' | 'desktop.pickFile' | 'desktop.showInFolder' | 'desktop.pickSavePath'> {
  const services = (): DesktopServices => engine.options.desktop ?? unavailable();
  return {
    'desktop.pickFolder': async (input) => ({ path: await services().pickFolder(input) }),
    'desktop.pickSavePath': async (input) => ({ path: await services().pickSavePath(input) }),
    'desktop.pickFile': async (input) => ({ path: await services().pickFile(input) }),
    'desktop.showInFolder': async ({ imageId }) => {
      const desktop = services();
      const image = await engine.call('library.image', { id: imageId });
      // An image can live at several paths; reveal the first one still on disk.
      const path = image.paths.find((p) => existsSync(p));
      if (!path) throw new EngineError('not_found', `None of image ${imageId}'s files exist any more: ${image.paths.join(', ')}`);
      desktop.showItemInFolder(path);
      return { ok: true as const };
    },
  };
}
