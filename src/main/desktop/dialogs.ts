import { dialog, shell, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { DesktopServices } from '../engine/handlers/desktop';

const FOLDER_TITLES = {
  open: 'Open a project folder',
  new: 'Choose a folder for the new project',
  import: 'Import a folder of images',
} as const;

/** The engine's DesktopServices, backed by native dialogs attached to the studio window. */
export function desktopServices(getWindow: () => BrowserWindow | null): DesktopServices {
  const parent = (): BrowserWindow | undefined => {
    const win = getWindow();
    return win && !win.isDestroyed() ? win : undefined;
  };
  return {
    async pickFolder({ title, purpose }) {
      const options: OpenDialogOptions = {
        title: title ?? FOLDER_TITLES[purpose],
        properties: purpose === 'import' ? ['openDirectory'] : ['openDirectory', 'createDirectory'],
      };
      const win = parent();
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async pickFile({ title, filters }) {
      const options: OpenDialogOptions = { title: title ?? 'Choose a file', properties: ['openFile'], ...(filters ? { filters } : {}) };
      const win = parent();
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async pickSavePath({ title, defaultName, filters }) {
      const options: SaveDialogOptions = {
        title: title ?? 'Save',
        ...(defaultName ? { defaultPath: defaultName } : {}),
        ...(filters ? { filters } : {}),
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const win = parent();
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    showItemInFolder(path) {
      shell.showItemInFolder(path);
    },
  };
}

/** A one-button message attached to the window (errors from menu actions, refused drops). */
export async function showMessage(win: BrowserWindow | null, kind: 'info' | 'error', message: string, detail?: string): Promise<void> {
  const options = { type: kind, message, ...(detail ? { detail } : {}), buttons: ['OK'] };
  if (win && !win.isDestroyed()) await dialog.showMessageBox(win, options);
  else await dialog.showMessageBox(options);
}
