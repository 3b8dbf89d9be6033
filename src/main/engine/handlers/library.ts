import { basename, resolve } from 'node:path';
import type { CommandName, LabelEntry, SplitEntry } from '@shared/contract';
import { CsvLabelsError, importFolders, readCsvColumns, readCsvLabels, rescanCatalogue } from '../../import';
import { pathFromString } from '../../images';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';
import type { Workspace } from '../workspace';
import { statBounded } from '../user-paths';

type LibraryCommand = Extract<CommandName, `library.${string}` | `classes.${string}`>;

/** A labels file that cannot be used is the caller's input to fix. */
async function csvLabels<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof CsvLabelsError) throw new EngineError('invalid_input', error.message);
    throw error;
  }
}

export function libraryHandlers(engine: Engine): HandlerMap<LibraryCommand> {
  const ws = (): Workspace => engine.projects.require();
  const changed = (reason: string): void => engine.events.emit('library.changed', { reason });

  const requireClass = (w: Workspace, id: number, what = 'class') => {
    const found = w.catalogue.classes.get(id);
    if (!found) throw new EngineError('not_found', `no ${what} with id ${id}`);
    return found;
  };
  const requireImages = (w: Workspace, ids: Iterable<number>): void => {
    for (const id of new Set(ids)) {
      if (!w.catalogue.images.split(id)) throw new EngineError('not_found', `no image with id ${id}`);
    }
  };
  const requireFreeName = (w: Workspace, name: string, self?: number): void => {
    const other = w.catalogue.classes.idByName(name);
    if (other !== undefined && other !== self) throw new EngineError('conflict', `a class named "${name}" already exists`);
  };

  /** Starts a job that holds the workspace open until it ends and stops early if the project closes. */
  const startWorkspaceJob = <R>(
    w: Workspace,
    kind: string,
    label: string,
    body: (signal: AbortSignal, progress: (done: number, total: number, message?: string) => void) => Promise<R>,
  ) =>
    engine.jobs.start({
      kind,
      label,
      run: (ctx) => w.use(() => body(AbortSignal.any([ctx.signal, w.closingSignal]), ctx.progress)),
      cleanup: () => {
        if (!w.isClosed) changed(kind);
      },
    });

  return {
    'library.status': () => ws().catalogue.status(),
    'library.classes': () => ws().catalogue.classes.list(),
    'library.list': (query) => ws().catalogue.images.list(query),
    'library.image': ({ id }) => {
      const detail = ws().catalogue.images.detail(id);
      if (!detail) throw new EngineError('not_found', `no image with id ${id}`);
      return detail;
    },

    'library.imageIdsByPath': ({ paths }) => {
      const { images } = ws().catalogue;
      return paths.map((path) => images.fileByPath(pathFromString(resolve(path)))?.imageId ?? null);
    },

    'library.import': async (options) => {
      const w = ws();
      const paths = options.paths.map((p) => resolve(p));
      for (const path of paths) {
        if (!(await statBounded(path))) throw new EngineError('invalid_input', `cannot import ${path}: no such folder or file`);
      }
      // Read before the job starts: a labels file without a label column stops the import before it begins.
      const csv = options.labels ? await csvLabels(() => readCsvLabels(options.labels as NonNullable<typeof options.labels>)) : undefined;
      const label = `Import ${paths.map((p) => basename(p)).join(', ')}`.slice(0, 120);
      const jobId = startWorkspaceJob(w, 'import', label, (signal, progress) =>
        importFolders(w.catalogue, { ...options, paths }, { signal, progress, exclude: w.ownPaths, csv }),
      );
      return { jobId };
    },

    'library.csvColumns': (options) => csvLabels(() => readCsvColumns(options)),

    'library.rescan': () => {
      const w = ws();
      const jobId = startWorkspaceJob(w, 'rescan', 'Rescan files', (signal, progress) =>
        rescanCatalogue(w.catalogue, { signal, progress }),
      );
      return { jobId };
    },

    'library.applyLabels': ({ entries }) => {
      const w = ws();
      requireImages(
        w,
        entries.map((e) => e.imageId),
      );
      for (const classId of new Set(entries.map((e) => e.classId))) if (classId !== null) requireClass(w, classId);
      const previous: LabelEntry[] = w.catalogue.transaction(() => {
        const before = entries.map((e) => w.catalogue.labels.get(e.imageId));
        for (const entry of entries) w.catalogue.labels.set(entry);
        return before;
      });
      changed('labels');
      return { previous };
    },

    'library.applySplits': ({ entries }) => {
      const w = ws();
      requireImages(
        w,
        entries.map((e) => e.imageId),
      );
      const previous: SplitEntry[] = w.catalogue.transaction(() => {
        const before = entries.map((e) => ({ imageId: e.imageId, split: w.catalogue.images.split(e.imageId) ?? 'unassigned' }));
        for (const entry of entries) w.catalogue.images.setSplit(entry.imageId, entry.split, 'manual');
        return before;
      });
      changed('splits');
      return { previous };
    },

    'classes.add': ({ name, colour }) => {
      const w = ws();
      requireFreeName(w, name);
      const id = w.catalogue.classes.add(name, colour);
      changed('classes');
      return requireClass(w, id);
    },

    'classes.update': ({ id, name, colour }) => {
      const w = ws();
      requireClass(w, id);
      if (name !== undefined) requireFreeName(w, name, id);
      w.catalogue.transaction(() => {
        if (name !== undefined) w.catalogue.classes.rename(id, name);
        if (colour !== undefined) w.catalogue.classes.recolour(id, colour);
      });
      changed('classes');
      return requireClass(w, id);
    },

    'classes.reorder': ({ ids }) => {
      const w = ws();
      for (const id of ids) requireClass(w, id);
      if (new Set(ids).size !== ids.length) throw new EngineError('invalid_input', 'classes.reorder: ids must not repeat');
      w.catalogue.transaction(() => w.catalogue.classes.reorder(ids));
      changed('classes');
      return { ok: true as const };
    },

    'classes.delete': ({ id, moveLabelsTo }) => {
      const w = ws();
      requireClass(w, id);
      if (moveLabelsTo === id) throw new EngineError('invalid_input', "cannot move a class's labels to the class being deleted");
      if (moveLabelsTo !== null) requireClass(w, moveLabelsTo, 'class to move labels to');
      w.catalogue.transaction(() => {
        if (moveLabelsTo !== null) w.catalogue.labels.moveClass(id, moveLabelsTo);
        w.catalogue.classes.delete(id);
      });
      changed('classes');
      return { ok: true as const };
    },
  };
}
