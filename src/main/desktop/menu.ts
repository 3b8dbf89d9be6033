import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction, RecentProject } from '@shared/contract';

export interface MenuHandlers {
  newProject(): void;
  openProject(): void;
  openRecent(dir: string): void;
  openSample(): void;
  importFolder(): void;
  closeProject(): void;
  /** Items whose meaning lives in the renderer (its undo stack, its overlays). */
  sendToRenderer(action: MenuAction): void;
  openDataFolder(): void;
}

export interface MenuContext {
  platform: NodeJS.Platform;
  appName: string;
  recent: RecentProject[];
  projectOpen: boolean;
  /** Reload and developer tools only in development builds. */
  dev: boolean;
}

/**
 * The application menu as a plain template (built and tested without Electron). Undo/Redo show
 * their shortcuts but do not register them: the renderer already handles Ctrl+Z itself (text
 * fields natively, the grid through its own stack), and a registered accelerator would fire twice.
 */
export function buildMenuTemplate(handlers: MenuHandlers, context: MenuContext): MenuItemConstructorOptions[] {
  const mac = context.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = context.recent
    .filter((project) => project.exists)
    .slice(0, 10)
    .map((project) => ({ label: `${project.name} — ${project.dir}`, click: () => handlers.openRecent(project.dir) }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => handlers.newProject() },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => handlers.openProject() },
      {
        label: 'Open Recent',
        submenu: recentItems.length > 0 ? recentItems : [{ label: 'No recent projects', enabled: false }],
      },
      { label: 'Open Sample Project', click: () => handlers.openSample() },
      { type: 'separator' },
      { label: 'Import Folder…', accelerator: 'CmdOrCtrl+I', enabled: context.projectOpen, click: () => handlers.importFolder() },
      { type: 'separator' },
      { label: 'Close Project', enabled: context.projectOpen, click: () => handlers.closeProject() },
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { label: 'Undo', accelerator: 'CmdOrCtrl+Z', registerAccelerator: false, click: () => handlers.sendToRenderer('undo') },
      { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false, click: () => handlers.sendToRenderer('redo') },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(context.dev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      {
        label: 'Keyboard Shortcuts',
        accelerator: 'Shift+/',
        registerAccelerator: false,
        click: () => handlers.sendToRenderer('showShortcuts'),
      },
      { label: 'Open Data Folder', click: () => handlers.openDataFolder() },
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'about' as const }]),
    ],
  };

  return [
    ...(mac ? [{ label: context.appName, role: 'appMenu' as const }] : []),
    file,
    edit,
    view,
    ...(mac ? [{ role: 'windowMenu' as const }] : []),
    help,
  ];
}
