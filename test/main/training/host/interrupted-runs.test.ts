import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../../src/main/catalogue';
import { RunsRepository } from '../../../../src/main/catalogue/runs-repository';
import { Engine } from '../../../../src/main/engine/engine';
import { recoverInterruptedRuns } from '../../../../src/main/training/host/interrupted-runs';
import { RESOURCES, tempDir } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
let other: ChildProcess;
let deadPid: number;

beforeAll(async () => {
  tmp = tempDir('interrupted');
  // A process that has exited (its pid is free), and one that lives while the test runs.
  deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
  other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  await new Promise((r) => other.once('spawn', r));
});
afterAll(() => {
  other.kill('SIGKILL');
  tmp.cleanup();
});

function workspaceWith(
  name: string,
  runs: Array<{ id: string; status: 'queued' | 'running' | 'succeeded'; owner: Record<string, unknown> }>,
): { ws: string; runsDir: string } {
  const ws = join(tmp.dir, name);
  const runsDir = join(ws, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const catalogue = Catalogue.openWorkspace(ws);
  try {
    const repo = catalogue.repo(RunsRepository);
    for (const run of runs) {
      repo.create({ id: run.id, mode: 'scratch', parentRun: null, backboneId: null, config: { seed: 1, ...run.owner } });
      if (run.status === 'running') repo.markRunning(run.id, 'wasm');
      if (run.status === 'succeeded') repo.finish(run.id, 'succeeded', {});
      // The half-written model each run would have left.
      mkdirSync(join(runsDir, `${run.id}.partial`));
      writeFileSync(join(runsDir, `${run.id}.partial`, 'weights.bin'), 'x');
    }
  } finally {
    catalogue.close();
  }
  return { ws, runsDir };
}

const here = (): string => hostname();

describe('runs orphaned by a process that exited', () => {
  it('become interrupted; live runs of other processes and hosts are left alone, and only dead runs’ .partial folders are swept', () => {
    const { ws, runsDir } = workspaceWith('unit', [
      { id: 'dead-owner', status: 'running', owner: { ownerPid: deadPid, ownerHost: here() } },
      { id: 'queued-dead', status: 'queued', owner: { ownerPid: deadPid, ownerHost: here() } },
      { id: 'legacy-no-host', status: 'running', owner: { ownerPid: deadPid } },
      { id: 'no-owner', status: 'running', owner: {} },
      { id: 'live-owner', status: 'running', owner: { ownerPid: other.pid, ownerHost: here() } },
      { id: 'this-process', status: 'running', owner: { ownerPid: process.pid, ownerHost: here() } },
      { id: 'other-host', status: 'running', owner: { ownerPid: deadPid, ownerHost: `not-${here()}` } },
      { id: 'finished', status: 'succeeded', owner: { ownerPid: deadPid, ownerHost: here() } },
    ]);
    mkdirSync(join(runsDir, 'unknown-run.partial'));
    mkdirSync(join(runsDir, 'finished'));

    const catalogue = Catalogue.openWorkspace(ws);
    try {
      const result = recoverInterruptedRuns(catalogue, runsDir);
      expect(result.interrupted.sort()).toEqual(['dead-owner', 'legacy-no-host', 'no-owner', 'queued-dead']);
      const status = (id: string) => catalogue.repo(RunsRepository).get(id);
      for (const id of result.interrupted) {
        expect(status(id)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/exited before it finished/) });
        expect(status(id)?.finishedAt).not.toBeNull();
      }
      expect(status('live-owner')?.status).toBe('running');
      expect(status('this-process')?.status).toBe('running');
      expect(status('other-host')?.status).toBe('running');
      expect(status('finished')?.status).toBe('succeeded');

      for (const id of ['live-owner', 'this-process', 'other-host']) expect(existsSync(join(runsDir, `${id}.partial`)), id).toBe(true);
      for (const id of ['dead-owner', 'queued-dead', 'legacy-no-host', 'no-owner', 'finished', 'unknown-run'])
        expect(existsSync(join(runsDir, `${id}.partial`)), id).toBe(false);
      expect(existsSync(join(runsDir, 'finished'))).toBe(true);
      // Idempotent: a second open finds nothing more to do.
      expect(recoverInterruptedRuns(catalogue, runsDir)).toEqual({ interrupted: [], swept: [] });
    } finally {
      catalogue.close();
    }
  });

  it('opening the project is enough (any command that opens the workspace)', async () => {
    const { ws, runsDir } = workspaceWith('engine', [{ id: 'orphan', status: 'running', owner: { ownerPid: deadPid, ownerHost: here() } }]);
    const engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
    try {
      await engine.call('project.open', { dir: ws });
      expect(existsSync(join(runsDir, 'orphan.partial'))).toBe(false);
      expect(engine.projects.require().catalogue.repo(RunsRepository).get('orphan')?.status).toBe('interrupted');
      const listed = await engine.call('runs.get', { id: 'orphan' });
      expect(listed).toMatchObject({ status: 'interrupted', modelDir: null });

      // While the project stays open, a run of another process that dies shows as interrupted at the next list.
      const repo = engine.projects.require().catalogue.repo(RunsRepository);
      repo.create({ id: 'later', mode: 'scratch', parentRun: null, backboneId: null, config: { ownerPid: deadPid, ownerHost: here() } });
      repo.markRunning('later', 'wasm');
      mkdirSync(join(runsDir, 'later.partial'));
      const runs = await engine.call('runs.list', {});
      expect(runs.find((r) => r.id === 'later')?.status).toBe('interrupted');
      expect(existsSync(join(runsDir, 'later.partial'))).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
