import { basename, join } from 'node:path';
import { Catalogue, CATALOGUE_FILE } from '../catalogue';
import type { ResizeMode } from '@shared/contract';
import { EngineError } from './errors';
import { readProjectSettings, writeProjectSettings } from './project-settings';
import { checkUserPath, makeDirs, statBounded } from './user-paths';

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
    /** Fixed when the project was made: training, preview, prediction and export all follow it. */
    readonly resizeMode: ResizeMode,
  ) {
    try {
      this.catalogue = Catalogue.openWorkspace(dir);
    } catch (error) {
      throw new EngineError('failed', (error as Error).message);
    }
  }

  /**
   * Opens a workspace folder; with create, makes the folder and an empty catalogue if needed. Every
   * filesystem call before the catalogue opens is bounded in time, and system folders are refused.
   */
  static async open(dir: string, options: { create: boolean; isSample?: boolean; resizeMode?: ResizeMode }): Promise<Workspace> {
    const full = await checkUserPath(dir, options.create ? 'create a project in' : 'open a project in');
    const folder = await statBounded(full);
    if (folder && !folder.isDirectory()) throw new EngineError('invalid_input', `${full} is a file, not a project folder`);
    const catalogueFile = join(full, CATALOGUE_FILE);
    const catalogue = folder ? await statBounded(catalogueFile) : null;
    // SQLite would block for ever opening a FIFO, and cannot use a folder.
    if (catalogue && !catalogue.isFile())
      throw new EngineError('invalid_input', `${catalogueFile} is not a file: this folder cannot hold a project`);
    if (!options.create && !catalogue) {
      throw new EngineError(
        'not_found',
        folder
          ? `${full} is not a Little Data Studio project (no ${CATALOGUE_FILE}); create one there or import a folder`
          : `no such folder: ${full}`,
      );
    }
    for (const sub of ['thumbs', 'runs', 'features']) await makeDirs(join(full, sub));
    let settings;
    try {
      // Only a new project takes the choice: an existing one keeps what its runs and caches were made with.
      if (!catalogue && options.resizeMode) writeProjectSettings(full, { resizeMode: options.resizeMode });
      settings = readProjectSettings(full);
    } catch (error) {
      throw new EngineError('invalid_input', (error as Error).message);
    }
    return new Workspace(full, options.isSample ?? false, settings.resizeMode);
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
