import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '@shared/contract';

const MAX_RECENT = 12;
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

  list(): RecentProject[] {
    return this.#read().map((entry) => ({ ...entry, exists: existsSync(join(entry.dir, 'catalogue.db')) }));
  }

  remember(dir: string, name: string): void {
    const rest = this.#read().filter((entry) => entry.dir !== dir);
    this.#write([{ dir, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
  }

  forget(dir: string): void {
    this.#write(this.#read().filter((entry) => entry.dir !== dir));
  }
}
