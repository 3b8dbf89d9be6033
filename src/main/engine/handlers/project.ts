import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';

/** STUB (foundation helper replaces). */
export function projectHandlers(engine: Engine): HandlerMap<
  'project.state' | 'project.open' | 'project.openSample' | 'project.close' | 'project.forgetRecent'
> {
  const todo = (): never => {
    throw new EngineError('failed', 'not implemented yet');
  };
  return {
    'project.state': () => ({ project: engine.projects.current(), recent: [], sampleAvailable: false, version: engine.options.version }),
    'project.open': todo,
    'project.openSample': todo,
    'project.close': () => ({ ok: true }),
    'project.forgetRecent': () => ({ ok: true }),
  };
}
