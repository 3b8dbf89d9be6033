import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '@shared/contract';
import { statBounded } from './user-paths';

const MAX_RECENT = 12;
/** The first screen waits this long at most for a recent project on a drive that does not answer. */
const EXISTS_TIMEOUT_MS = 2_000;
const storedSchema = z.array(z.object({ dir: z.string(), name: z.string(), openedAt: z.string() }));
type Stored = z.infer<typeof storedSchema>;

/** The first screen's list, kept as JSON in the user's data folder; a damaged file reads as empty. */
export class RecentProjects {
  readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'recent-projects.json');
  }

  #read(): Stored {
    try {
      return storedSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      return [];
    }
  }

  #write(list: Stored): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(list, null, 2)}\n`);
    renameSync(temp, this.file);
  }

  /** A project on a drive that does not answer (or is unplugged) is listed as not existing. */
  async list(): Promise<RecentProject[]> {
    const exists = async (dir: string): Promise<boolean> => {
      try {
        return (await statBounded(join(dir, 'catalogue.db'), EXISTS_TIMEOUT_MS))?.isFile() ?? false;
      } catch {
        return false;
      }
    };
    return Promise.all(this.#read().map(async (entry) => ({ ...entry, exists: await exists(entry.dir) })));
  }

  remember(dir: string, name: string): void {
    const rest = this.#read().filter((entry) => entry.dir !== dir);
    this.#write([{ dir, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
  }

  forget(dir: string): void {
    this.#write(this.#read().filter((entry) => entry.dir !== dir));
  }
}
