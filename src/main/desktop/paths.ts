import { join } from 'node:path';

export interface AppPaths {
  preload: string;
  rendererDir: string;
  trainingWorker: string;
  resourcesDir: string;
  icon: string;
}

/**
 * Where the built bundles and bundled resources are. `mainDir` is out/main (inside app.asar when
 * packaged). Resources are unpacked from the asar because native code (sharp, tfjs-node) reads
 * them with its own file I/O, which cannot see into an asar archive.
 */
export function appPaths(mainDir: string, appPath: string, packaged: boolean): AppPaths {
  const resourcesDir = packaged ? join(appPath.replace(/app\.asar$/, 'app.asar.unpacked'), 'resources') : join(appPath, 'resources');
  return {
    preload: join(mainDir, '..', 'preload', 'index.js'),
    rendererDir: join(mainDir, '..', 'renderer'),
    trainingWorker: join(mainDir, 'training-worker.js'),
    resourcesDir,
    icon: join(resourcesDir, 'icon.png'),
  };
}
