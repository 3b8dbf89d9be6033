import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Catalogue, CATALOGUE_FILE } from '../catalogue';
import { EngineError } from './errors';

/**
 * One project folder: catalogue.db plus the derivable caches next to it (thumbs/, features/) and
 * training output (runs/). Images themselves stay where the user keeps them.
 */
export class Workspace {
  readonly catalogue: Catalogue;
  readonly #closing = new AbortController();
  #users = 0;
  #closed = false;

  private constructor(
    readonly dir: string,
    readonly isSample: boolean,
  ) {
    for (const sub of ['thumbs', 'runs', 'features']) mkdirSync(join(dir, sub), { recursive: true });
    try {
      this.catalogue = Catalogue.openWorkspace(dir);
    } catch (error) {
      throw new EngineError('failed', (error as Error).message);
    }
  }

  /** Opens a workspace folder; with create, makes the folder and an empty catalogue if needed. */
  static open(dir: string, options: { create: boolean; isSample?: boolean }): Workspace {
    const full = resolve(dir);
    if (existsSync(full) && !statSync(full).isDirectory()) {
      throw new EngineError('invalid_input', `${full} is a file, not a project folder`);
    }
    if (!options.create && !existsSync(join(full, CATALOGUE_FILE))) {
      throw new EngineError(
        'not_found',
        existsSync(full) ? `${full} is not a Little Data Studio project (no ${CATALOGUE_FILE}); create one there or import a folder` : `no such folder: ${full}`,
      );
    }
    mkdirSync(full, { recursive: true });
    return new Workspace(full, options.isSample ?? false);
  }

  get name(): string {
    return this.isSample ? 'Sample project' : basename(this.dir) || this.dir;
  }

  get thumbsDir(): string {
    return join(this.dir, 'thumbs');
  }

  get runsDir(): string {
    return join(this.dir, 'runs');
  }

  get featuresDir(): string {
    return join(this.dir, 'features');
  }

  /** What an import of a folder containing this workspace must not pick up: its caches and database. */
  get ownPaths(): string[] {
    return [join(this.dir, 'thumbs'), join(this.dir, 'runs'), join(this.dir, 'features'), join(this.dir, CATALOGUE_FILE)];
  }

  /** Aborts when the project is being closed: long jobs on it stop at their next batch. */
  get closingSignal(): AbortSignal {
    return this.#closing.signal;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Runs work that needs the catalogue open until it finishes: a close that arrives meanwhile
   * aborts closingSignal and waits for the work to end before closing the database.
   */
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new EngineError('no_project', 'the project was closed');
    this.#users++;
    try {
      return await work();
    } finally {
      this.#users--;
      if (this.#closed && this.#users === 0) this.catalogue.close();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    if (this.#users === 0) this.catalogue.close();
  }
}
