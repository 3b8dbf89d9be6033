import { z } from 'zod';
import { command } from './define';
import { idSchema, ok } from './common';

const pickedPathSchema = z.object({ path: z.string().nullable() });

export const fileFilterSchema = z.object({
  name: z.string().min(1).max(64),
  extensions: z
    .array(z.string().regex(/^[A-Za-z0-9*]{1,16}$/, 'an extension is letters/digits without the dot'))
    .min(1)
    .max(16),
});

/**
 * Commands only the Electron window can serve (native dialogs, the file manager). Browser mode and
 * the CLI answer them with a 'forbidden' error, so the renderer can fall back to a typed path.
 */
export const desktopCommands = {
  /** A native folder picker; `path` is null when the user cancels. */
  'desktop.pickFolder': command(
    z.object({ title: z.string().max(200).optional(), purpose: z.enum(['open', 'new', 'import']).default('open') }).strict(),
    pickedPathSchema,
  ),
  /** A native picker for one existing file (a labels CSV); `path` is null when the user cancels. */
  'desktop.pickFile': command(
    z.object({ title: z.string().max(200).optional(), filters: z.array(fileFilterSchema).max(8).optional() }).strict(),
    pickedPathSchema,
  ),
  /** Reveals one of the image's files in the system file manager. */
  'desktop.showInFolder': command(z.object({ imageId: idSchema }).strict(), ok),
  /** A native save dialog; `path` is null when the user cancels. */
  'desktop.pickSavePath': command(
    z
      .object({
        title: z.string().max(200).optional(),
        defaultName: z.string().max(255).optional(),
        filters: z.array(fileFilterSchema).max(8).optional(),
      })
      .strict(),
    pickedPathSchema,
  ),
};

/** Menu items whose meaning lives in the renderer; file dialogs and imports are handled in main. */
export const MENU_ACTIONS = ['undo', 'redo', 'showShortcuts'] as const;
export const menuActionSchema = z.enum(MENU_ACTIONS);
export type MenuAction = z.infer<typeof menuActionSchema>;

export const desktopEvents = {
  /** An application-menu item the renderer acts on (its own undo stack, overlays, flows). */
  'desktop.menu': z.object({ action: menuActionSchema }),
};

/** Electron IPC channel for folders dropped on the window (paths resolved in the preload). */
export const IPC_DROP = 'lds:drop';
