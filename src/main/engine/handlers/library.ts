import type { Engine } from '../engine';
import type { HandlerMap } from '../handler';
import type { CommandName } from '@shared/contract';

type LibraryCommand = Extract<CommandName, `library.${string}` | `classes.${string}`>;

/** STUB (foundation helper replaces). */
export function libraryHandlers(engine: Engine): HandlerMap<LibraryCommand> {
  const todo = (): never => engine.projects.require();
  return {
    'library.status': todo,
    'library.classes': todo,
    'library.list': todo,
    'library.image': todo,
    'library.import': todo,
    'library.rescan': todo,
    'library.applyLabels': todo,
    'library.applySplits': todo,
    'classes.add': todo,
    'classes.update': todo,
    'classes.reorder': todo,
    'classes.delete': todo,
  };
}
