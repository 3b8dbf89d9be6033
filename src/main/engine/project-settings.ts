/**
 * Choices fixed when a project is made (today: how pictures become squares), kept in project.json
 * beside catalogue.db: readable by people, and a project made before the file existed reads as stretch.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RESIZE_MODES, type ResizeMode } from '@shared/contract';

export const PROJECT_SETTINGS_FILE = 'project.json';

const settingsSchema = z.object({ resizeMode: z.enum(RESIZE_MODES).default('stretch') }).passthrough();
export type ProjectSettings = { resizeMode: ResizeMode };

export function readProjectSettings(dir: string): ProjectSettings {
  const file = join(dir, PROJECT_SETTINGS_FILE);
  if (!existsSync(file)) return { resizeMode: 'stretch' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file}: not readable JSON (${(error as Error).message}); fix or remove it (a missing file means resize mode "stretch")`,
      { cause: error },
    );
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: resizeMode must be one of ${RESIZE_MODES.join(', ')}`);
  return { resizeMode: parsed.data.resizeMode };
}

export function writeProjectSettings(dir: string, settings: ProjectSettings): void {
  writeFileSync(join(dir, PROJECT_SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
}
