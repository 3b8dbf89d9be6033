import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheSizes } from '@shared/contract/caches';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';
import type { Workspace } from '../workspace';

function folderBytes(root: string): number {
  if (!existsSync(root)) return 0;
  let total = 0;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : (statSync(path, { throwIfNoEntry: false })?.size ?? 0);
  }
  return total;
}

function sizes(ws: Workspace): CacheSizes {
  return { thumbnails: folderBytes(ws.thumbsDir), features: folderBytes(ws.featuresDir) };
}

/** Removes what is inside the folder but keeps the folder: the workspace expects it to exist. */
function emptyFolder(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
}

export function cacheHandlers(engine: Engine): HandlerMap<'caches.sizes' | 'caches.clear'> {
  return {
    'caches.sizes': () => sizes(engine.projects.require()),
    'caches.clear': ({ cache }) => {
      const ws = engine.projects.require();
      const running = engine.jobs.list().filter((j) => j.status === 'running');
      if (running.length)
        throw new EngineError(
          'conflict',
          `cannot clear the ${cache} cache while “${running[0]?.label}” runs: it may be writing there; try again when it ends`,
        );
      emptyFolder(cache === 'thumbnails' ? ws.thumbsDir : ws.featuresDir);
      return sizes(ws);
    },
  };
}
