import { resolve } from 'node:path';
import type { Engine } from '../engine';
import type { HandlerMap } from '../handler';

export function projectHandlers(
  engine: Engine,
): HandlerMap<'project.state' | 'project.open' | 'project.openSample' | 'project.close' | 'project.forgetRecent'> {
  const projects = engine.projects;
  return {
    'project.state': async () => ({
      project: projects.current(),
      recent: await projects.recent.list(),
      sampleAvailable: projects.sampleAvailable,
      version: engine.options.version,
    }),
    'project.open': ({ dir, create, resizeMode }) => projects.open(dir, { create, resizeMode }),
    'project.openSample': () => projects.openSample(),
    'project.close': () => {
      projects.closeProject();
      return { ok: true as const };
    },
    'project.forgetRecent': ({ dir }) => {
      projects.recent.forget(resolve(dir));
      return { ok: true as const };
    },
  };
}
