import { ApiError, getApi } from './api';

/** The native folder picker where there is one (the desktop app); null when cancelled or absent. */
export async function pickFolder(purpose: 'open' | 'new' | 'import', title?: string): Promise<string | null> {
  const api = getApi();
  if (api.transport !== 'electron') return null;
  try {
    const { path } = await api.invoke('desktop.pickFolder', { purpose, ...(title ? { title } : {}) });
    return path;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'forbidden') return null;
    throw error;
  }
}

/** The native file picker for a labels CSV (the desktop app only); null when cancelled or absent. */
export async function pickCsvFile(): Promise<string | null> {
  const api = getApi();
  if (api.transport !== 'electron') return null;
  try {
    const filters = [{ name: 'CSV files', extensions: ['csv', 'tsv', 'txt'] }];
    const { path } = await api.invoke('desktop.pickFile', { title: 'Choose a labels CSV file', filters });
    return path;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'forbidden') return null;
    throw error;
  }
}

export const canPickFolders = (): boolean => getApi().transport === 'electron';

/** Paths of dropped files/folders; only the desktop app can see them (browsers hide paths). */
export function droppedPaths(event: DragEvent): string[] {
  const bridge = window.lds;
  const files = [...(event.dataTransfer?.files ?? [])];
  if (!bridge?.pathForFile) return [];
  return files.map((f) => bridge.pathForFile!(f)).filter((p): p is string => typeof p === 'string' && p.length > 0);
}
