import { realpathSync } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { CommandInput, CommandName } from '@shared/contract';
import { EngineError } from './errors';

/**
 * How long one filesystem call on a user's path may take. A hung network mount never answers;
 * after this the engine gives up on the call (its thread stays blocked, the engine does not).
 */
export const FS_TIMEOUT_MS = 10_000;

/**
 * Folders the kernel provides: nothing of the user's lives there, and some calls never return
 * (Node's recursive mkdir spins forever under /proc).
 */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

let systemRoots: string[] | null = null;
function allSystemRoots(): string[] {
  if (!systemRoots) {
    const real = SYSTEM_ROOTS.flatMap((root) => {
      try {
        return [realpathSync.native(root)];
      } catch {
        return [];
      }
    });
    systemRoots = [...new Set([...SYSTEM_ROOTS, ...real])];
  }
  return systemRoots;
}

function systemRootOf(path: string): string | null {
  if (process.platform === 'win32') return null;
  return allSystemRoots().find((root) => path === root || path.startsWith(root + sep)) ?? null;
}

let abandoned = 0;

/**
 * Filesystem calls given up on that have still not returned. While any is blocked in the kernel,
 * a normal process exit waits for it for ever (libuv joins its threads), so the CLI and `lds serve`
 * stop the hard way instead.
 */
export function abandonedFsCalls(): number {
  return abandoned;
}

/** Rejects with a clear message when work has not settled within ms; work keeps running unobserved. */
export function bounded<T>(work: Promise<T>, what: string, ms = FS_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandoned++;
      void work.then(
        () => abandoned--,
        () => abandoned--,
      );
      reject(
        new EngineError('failed', `${what}: no answer within ${Math.round(ms / 1000)} s (a disconnected network drive or a hung mount?)`),
      );
    }, ms);
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const errnoCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** stat within the time bound; null when nothing is there. */
export async function statBounded(path: string, ms = FS_TIMEOUT_MS): Promise<Stats | null> {
  try {
    return await bounded(stat(path), `reading ${path}`, ms);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    if (error instanceof EngineError) throw error;
    throw new EngineError('failed', `cannot read ${path}: ${(error as Error).message}`);
  }
}

function refuseSystem(path: string, shown: string, what: string): void {
  const root = systemRootOf(path);
  if (root) {
    throw new EngineError(
      'invalid_input',
      `cannot ${what} ${shown}: ${root} holds the system's own virtual files, not user files; choose a folder in your home or on a data disk`,
    );
  }
}

/**
 * Checks a path a user typed before anything touches it: refused inside /proc, /sys or /dev (also
 * when a link leads there), and its nearest existing folder must answer within the time bound.
 * Resolves with the absolute path.
 */
export async function checkUserPath(path: string, what: string, ms = FS_TIMEOUT_MS): Promise<string> {
  const full = resolve(path);
  refuseSystem(full, full, what);
  let probe = full;
  for (;;) {
    try {
      const real = await bounded(realpath(probe), `reading ${probe}`, ms);
      refuseSystem(join(real, relative(probe, full)), full, what);
      return full;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const parent = dirname(probe);
      // Missing (or a file in the way): what exists above it decides; the caller reports the rest.
      if (parent === probe || !['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES'].includes(errnoCode(error) ?? '')) return full;
      probe = parent;
    }
  }
}

/**
 * mkdir -p for a user's path, one bounded call per level. Not Node's recursive mkdir: that one can
 * loop forever (it does under /proc) where this gives up with the folder it could not make.
 */
export async function makeDirs(dir: string, ms = FS_TIMEOUT_MS): Promise<void> {
  const missing: string[] = [];
  for (let probe = resolve(dir); ; probe = dirname(probe)) {
    const info = await statBounded(probe, ms);
    if (info) {
      if (!info.isDirectory()) throw new EngineError('invalid_input', `cannot create ${dir}: ${probe} is a file, not a folder`);
      break;
    }
    missing.push(probe);
    if (dirname(probe) === probe) break;
  }
  for (const folder of missing.reverse()) {
    try {
      await bounded(mkdir(folder), `creating ${folder}`, ms);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const code = errnoCode(error);
      if (code === 'EEXIST' && (await statBounded(folder, ms))?.isDirectory()) continue;
      const why =
        code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the disk is read-only' : (error as Error).message;
      throw new EngineError(
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'invalid_input' : 'failed',
        `cannot create folder ${folder}: ${why}`,
      );
    }
  }
}

type PathCheck = { path: string; what: string };
type PathFields = { [N in CommandName]?: (input: CommandInput<N>) => PathCheck[] };

/** The user-typed paths in each command's input: checked by the engine before the handler runs. */
const USER_PATH_FIELDS: PathFields = {
  'project.open': ({ dir, create }) => [{ path: dir, what: create ? 'create a project in' : 'open a project in' }],
  'library.import': ({ paths, labels }) => [
    ...paths.map((path) => ({ path, what: 'import' })),
    ...(labels ? [{ path: labels.file, what: 'read labels from' }] : []),
  ],
  'library.csvColumns': ({ file }) => [{ path: file, what: 'read labels from' }],
  'export.model': ({ outDir }) => (outDir ? [{ path: outDir, what: 'export to' }] : []),
  'export.dataset': ({ outDir }) => (outDir ? [{ path: outDir, what: 'export to' }] : []),
  'backbones.add': ({ dir }) => [{ path: dir, what: 'add a backbone from' }],
  'backbones.layers': ({ path }) => [{ path, what: 'read a model from' }],
};

export function userPathsOf<N extends CommandName>(name: N, input: CommandInput<N>): PathCheck[] {
  const fields = USER_PATH_FIELDS[name] as ((input: CommandInput<N>) => PathCheck[]) | undefined;
  return fields ? fields(input) : [];
}
