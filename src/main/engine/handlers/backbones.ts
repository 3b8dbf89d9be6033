import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';
import { listSourceFeatureLayers } from '../../training/backbones/backbone-registry';

/** Backbone commands that need no project: looking at a model before adding it. */
export function backboneHandlers(_engine: Engine): HandlerMap<'backbones.layers'> {
  return {
    'backbones.layers': async ({ path }) => {
      try {
        return await listSourceFeatureLayers(path);
      } catch (error) {
        throw new EngineError('invalid_input', (error as Error).message);
      }
    },
  };
}
