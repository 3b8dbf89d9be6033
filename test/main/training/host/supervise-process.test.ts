import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ForkLauncher } from '../../../../src/main/training/host/launcher';
import { superviseProcess } from '../../../../src/main/training/host/supervise-process';

const launch = (mode: string) =>
  new ForkLauncher({ entry: join(__dirname, 'misbehaving-worker.mjs'), env: { FAKE_WORKER: mode } }).launch();
const start = { type: 'doctor', backend: null } as const;

describe('superviseProcess', () => {
  test('a process that ignores cancel is killed once the grace period ends, and counts as cancelled', async () => {
    const abort = new AbortController();
    const end = superviseProcess(launch('stuck'), {
      start,
      signal: abort.signal,
      graceMs: 100,
      onMessage: (m) => m.type === 'ready' && abort.abort(),
    });
    expect(await end).toEqual({ code: null, signal: 'SIGKILL', cancelled: true, failure: null });
  });

  test('an invalid message kills the process and names the problem', async () => {
    const end = await superviseProcess(launch('nonsense'), { start });
    expect(end.signal).toBe('SIGKILL');
    expect(end.failure).toMatch(/^training process sent an invalid message: /);
    expect(end.cancelled).toBe(false);
  });

  test("the process's own error message is the failure", async () => {
    const seen: string[] = [];
    const end = await superviseProcess(launch('fails'), { start, onMessage: (m) => seen.push(m.type) });
    expect(end).toEqual({ code: 1, signal: null, cancelled: false, failure: 'out of patience' });
    expect(seen).toEqual(['ready', 'error']);
  });
});
