import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';

export function jobHandlers(engine: Engine): HandlerMap<'jobs.list' | 'jobs.cancel'> {
  return {
    'jobs.list': () => engine.jobs.list(),
    'jobs.cancel': ({ id }) => {
      if (!engine.jobs.get(id)) throw new EngineError('not_found', `no job with id ${id}`);
      engine.jobs.cancel(id);
      return { ok: true };
    },
  };
}
