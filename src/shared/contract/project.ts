import { z } from 'zod';
import { command } from './define';
import { empty, ok } from './common';

/**
 * How a picture becomes the model's square input, chosen when a project is made: 'stretch' resizes the
 * whole picture (Keras flow_from_directory); 'centre-crop' keeps its centred square first (Teachable
 * Machine, torchvision, Keras crop_to_aspect_ratio).
 */
export const RESIZE_MODES = ['stretch', 'centre-crop'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

export const projectInfoSchema = z.object({
  dir: z.string(),
  name: z.string(),
  isSample: z.boolean(),
  resizeMode: z.enum(RESIZE_MODES),
});
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const recentProjectSchema = z.object({
  dir: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof recentProjectSchema>;

export const projectCommands = {
  /** Where the studio stands: the open project (if any) and the recent list for the first screen. */
  'project.state': command(
    empty,
    z.object({
      project: projectInfoSchema.nullable(),
      recent: z.array(recentProjectSchema),
      sampleAvailable: z.boolean(),
      version: z.string(),
    }),
  ),
  /**
   * Opens a workspace folder; `create` makes it (and its catalogue) when it does not exist yet, with
   * `resizeMode` (default stretch); an existing project keeps the mode it was made with.
   */
  'project.open': command(
    z
      .object({ dir: z.string().min(1).max(4096), create: z.boolean().default(false), resizeMode: z.enum(RESIZE_MODES).optional() })
      .strict(),
    projectInfoSchema,
  ),
  /** Opens (creating on first use) the bundled sample project in the user's data folder. */
  'project.openSample': command(empty, projectInfoSchema),
  'project.close': command(empty, ok),
  'project.forgetRecent': command(z.object({ dir: z.string().min(1).max(4096) }).strict(), ok),
};
