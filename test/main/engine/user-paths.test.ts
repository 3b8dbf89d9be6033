import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { abandonedFsCalls, bounded, checkUserPath, makeDirs } from '../../../src/main/engine/user-paths';

let dir: string;
let engine: Engine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-user-paths-'));
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: join(dir, 'resources'), version: '0.0.0-test' });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('paths a user types: system folders are refused before anything touches them', () => {
  it('refuses to create a project under /sys or /dev, naming the folder', async () => {
    for (const target of ['/sys/lds-test/ws', '/dev/lds-test-ws']) {
      const result = await engine.invoke('project.open', { dir: target, create: true });
      expect(result.ok, target).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toContain(target);
      expect(result.error.message).toMatch(/\/(sys|dev) holds the system's own virtual files/);
    }
    expect(existsSync('/dev/lds-test-ws')).toBe(false);
  });

  it('refuses a link that leads into /proc, and every command that takes a path', async () => {
    const link = join(dir, 'into-proc');
    symlinkSync('/proc', link);
    expect(await checkUserPath(join(dir, 'fine', 'ws'), 'create a project in')).toBe(join(dir, 'fine', 'ws'));
    await expect(checkUserPath(join(link, 'lds', 'ws'), 'create a project in')).rejects.toThrow(
      /\/proc holds the system's own virtual files/,
    );
    await expect(checkUserPath('/proc', 'import')).rejects.toThrow('cannot import /proc');
    for (const [name, input] of [
      ['library.import', { paths: ['/proc/self'] }],
      ['backbones.layers', { path: '/sys/kernel' }],
      ['backbones.add', { dir: '/dev/null' }],
      ['export.dataset', { outDir: join(link, 'x') }],
    ] as const) {
      const result = await engine.invoke(name, input);
      expect(result.ok ? 'ok' : result.error.code, name).toBe('invalid_input');
    }
  });

  it('mkdir -p of its own: makes every level, names a file in the way', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirs(deep);
    expect(existsSync(deep)).toBe(true);
    writeFileSync(join(dir, 'plain-file'), 'x');
    await expect(makeDirs(join(dir, 'plain-file', 'ws'))).rejects.toThrow(`${join(dir, 'plain-file')} is a file, not a folder`);
  });

  it('a filesystem call that never answers (a FIFO with no writer) fails after the bound; the engine keeps going', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const stuck = open(fifo, 'r');
    try {
      await expect(bounded(stuck, `reading ${fifo}`, 300)).rejects.toThrow(`reading ${fifo}: no answer within 0 s`);
      // Counted, so the CLI and `lds serve` know a normal exit would wait for it.
      expect(abandonedFsCalls()).toBe(1);
      // Meanwhile the engine answers.
      expect((await engine.invoke('project.state', {})).ok).toBe(true);
    } finally {
      // Release the blocked thread: a writer lets the open return.
      const writer = await open(fifo, 'w');
      await writer.close();
      await (await stuck).close();
    }
    expect(abandonedFsCalls()).toBe(0);
  });

  it('opening a folder whose catalogue.db is not a file refuses instead of blocking in SQLite', async () => {
    const ws = join(dir, 'odd-ws');
    mkdirSync(join(ws, 'catalogue.db'), { recursive: true });
    const result = await engine.invoke('project.open', { dir: ws, create: false });
    expect(result.ok ? 'ok' : result.error.message).toContain('catalogue.db is not a file');
  });
});
