import { join } from 'node:path';
import type { StatusSummary } from '@shared/contract';
import { ClassesRepository } from './classes-repository';
import { openDb, type Db, type OpenDbOptions } from './db';
import { ImagesRepository } from './images-repository';
import { LabelsRepository } from './labels-repository';
import { statusSummary } from './status-query';

export const CATALOGUE_FILE = 'catalogue.db';

/** A repository class: built once per catalogue from the open database. */
export type RepositoryClass<T> = new (db: Db) => T;

/**
 * One project's catalogue: the open database and the repositories over it. Other domains (augment
 * presets, runs, features) get theirs with `catalogue.repo(TheirRepository)` — no edit here needed.
 */
export class Catalogue {
  readonly images: ImagesRepository;
  readonly classes: ClassesRepository;
  readonly labels: LabelsRepository;
  readonly #repos = new Map<RepositoryClass<unknown>, unknown>();

  private constructor(
    readonly db: Db,
    readonly file: string,
  ) {
    this.images = new ImagesRepository(db);
    this.classes = new ClassesRepository(db);
    this.labels = new LabelsRepository(db);
  }

  static open(file: string, options?: OpenDbOptions): Catalogue {
    return new Catalogue(openDb(file, options), file);
  }

  /** The catalogue of a workspace folder. */
  static openWorkspace(dir: string, options?: OpenDbOptions): Catalogue {
    return Catalogue.open(join(dir, CATALOGUE_FILE), options);
  }

  repo<T>(Repository: RepositoryClass<T>): T {
    let repo = this.#repos.get(Repository) as T | undefined;
    if (!repo) {
      repo = new Repository(this.db);
      this.#repos.set(Repository, repo);
    }
    return repo;
  }

  /** Runs fn in one transaction (nested calls become savepoints); rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  status(): StatusSummary {
    return statusSummary(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
