import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Catalogue } from '../../catalogue';
import { RunsRepository, type RunRow } from '../../catalogue/runs-repository';

export const INTERRUPTED_REASON = 'interrupted: the app or command that ran it exited before it finished';

const PARTIAL = '.partial';

/** Who runs a run: stored in its config so another process can tell a live run from an orphan. */
export function runOwner(): { ownerPid: number; ownerHost: string } {
  return { ownerPid: process.pid, ownerHost: hostname() };
}

/**
 * Whether the process that owns a queued or running run may still be running it. A pid can only be
 * checked on its own machine: a run owned on another host (a workspace on a network share) counts as
 * live, and so does one of this very process.
 */
export function ownerMayBeAlive(run: RunRow): boolean {
  const { ownerPid, ownerHost } = run.config;
  if (typeof ownerHost === 'string' && ownerHost !== hostname()) return true;
  if (typeof ownerPid !== 'number') return false;
  return ownerPid === process.pid || isAlive(ownerPid);
}

/**
 * Run whenever a workspace opens: a run left queued or running by a process that is gone (crash,
 * kill -9 of the app or of `lds train`) can never finish, so it becomes 'interrupted'; then every
 * runs/<id>.partial folder not being written by a live run is removed (a half-written model).
 */
export function recoverInterruptedRuns(catalogue: Catalogue, runsDir: string): { interrupted: string[]; swept: string[] } {
  const runs = catalogue.repo(RunsRepository);
  const interrupted: string[] = [];
  const live = new Set<string>();
  try {
    for (const run of runs.list()) {
      if (run.status !== 'running' && run.status !== 'queued') continue;
      if (ownerMayBeAlive(run)) {
        live.add(run.id);
        continue;
      }
      runs.finish(run.id, 'interrupted', { error: INTERRUPTED_REASON });
      interrupted.push(run.id);
    }
  } catch {
    // A catalogue another process holds busy, or a read-only one, still opens; without knowing which
    // runs are live no folder is swept either, and the next open tries again.
    return { interrupted, swept: [] };
  }
  const swept: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(runsDir);
  } catch {
    entries = [];
  }
  for (const name of entries) {
    if (!name.endsWith(PARTIAL) || live.has(name.slice(0, -PARTIAL.length))) continue;
    try {
      rmSync(join(runsDir, name), { recursive: true, force: true });
      swept.push(name);
    } catch {
      // Not ours to fight over (permissions): the next open tries again.
    }
  }
  return { interrupted, swept };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
