import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/main/cli/commands';
import { runCli, type CliResult } from './run-cli';

const REPO = resolve(__dirname, '../../..');
const BUILT = join(REPO, 'out', 'main', 'cli.js');

let dir: string;
let empty: string;
let server: Server;
const WEIGHTS = Buffer.from('not really weights, but this mobilenet has no published md5 to check');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-json-'));
  empty = join(dir, 'empty');
  mkdirSync(empty);
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': WEIGHTS.length });
    res.end(WEIGHTS);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  rmSync(dir, { recursive: true, force: true });
});

/** The last stdout line, which --json promises is one JSON object. */
function lastObject(r: CliResult): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`the last stdout line is not JSON: ${JSON.stringify(line)} (stderr: ${r.stderr.trim()})`);
  }
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), line).toBe(true);
  return parsed as Record<string, unknown>;
}

function expectJsonError(r: CliResult, code: string | RegExp): { code: string; message: string } {
  expect(r.code, r.stderr).not.toBe(0);
  const { error } = lastObject(r) as { error?: { code: string; message: string } };
  expect(error, r.stdout).toBeDefined();
  expect(error?.code).toMatch(code);
  expect(error?.message.length).toBeGreaterThan(5);
  return error as { code: string; message: string };
}

describe('--json: the last stdout line is one JSON object, an error object on failure', () => {
  it('argument errors, before and after the command name', async () => {
    expectJsonError(await runCli(dir, ['--bogus', '--json']), 'usage');
    expectJsonError(await runCli(dir, ['--json']), 'usage');
    expectJsonError(await runCli(dir, ['frobnicate', '--json']), 'unknown_command');
    expectJsonError(await runCli(dir, ['--json', 'status', '--bogus']), 'usage');
    expectJsonError(await runCli(dir, ['import', '--json']), 'usage');
    const badFraction = expectJsonError(await runCli(dir, ['import', empty, '--val-fraction', '2', '--json']), 'usage');
    expect(badFraction.message).toContain('--val-fraction must be a fraction');
    // And the human line is still on stderr.
    expect((await runCli(dir, ['frobnicate', '--json'])).stderr).toMatch(/^lds: unknown command "frobnicate"/);
  });

  it('every command, with an unknown option or run where there is no project', async () => {
    for (const name of Object.keys(COMMANDS)) {
      expectJsonError(await runCli(dir, ['--workspace', empty, name, '--no-such-option', '--json']), 'usage');
      // serve would serve; doctor and backbones download succeed without a project (below).
      if (name === 'serve' || name === 'doctor') continue;
      const r = await runCli(dir, ['--workspace', join(dir, 'nowhere'), name, '--json']);
      expectJsonError(r, /^(usage|not_found|no_project|invalid_input)$/);
    }
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('engine errors keep their code; help and version are JSON too', async () => {
    const noProject = expectJsonError(await runCli(dir, ['--workspace', empty, 'status', '--json']), 'not_found');
    expect(noProject.message).toContain('is not a Little Data Studio project');
    const proc = expectJsonError(await runCli(dir, ['--workspace', '/proc/lds-test', 'import', empty, '--json']), 'invalid_input');
    expect(proc.message).toContain('/proc');
    expect(lastObject(await runCli(dir, ['--help', '--json']))).toHaveProperty('help');
    expect(lastObject(await runCli(dir, ['status', '--help', '--json']))).toHaveProperty('help');
    expect(lastObject(await runCli(dir, ['--version', '--json']))).toHaveProperty('version');
  });
});

describe('no empty workspace from a failed command; commands that need no project work in an empty folder', () => {
  it('lds import /nonexistent fails naming the path and creates nothing', async () => {
    const ws = join(dir, 'new-ws');
    const error = expectJsonError(await runCli(dir, ['--workspace', ws, 'import', '/nonexistent/lds-photos', '--json']), 'invalid_input');
    expect(error.message).toBe('cannot import /nonexistent/lds-photos: no such folder or file');
    expect(existsSync(ws)).toBe(false);

    mkdirSync(ws);
    expectJsonError(await runCli(dir, ['--workspace', ws, 'import', join(dir, 'missing'), '--json']), 'invalid_input');
    expect(readdirSync(ws)).toEqual([]);
  });

  it('doctor works with --workspace pointing at an empty folder, and leaves it empty', async () => {
    const r = await runCli(dir, ['--workspace', empty, 'doctor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastObject(r)).toMatchObject({ active: expect.any(String), featureCacheBytes: null });
    expect(readdirSync(empty)).toEqual([]);
  });

  it('backbones download works with --workspace pointing at an empty folder: it fetches the file into the user data folder', async () => {
    process.env.LDS_KERAS_WEIGHTS_BASE = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
    try {
      const r = await runCli(dir, ['--workspace', empty, 'backbones', 'download', 'mobilenet_v2_1.0_224', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const { downloaded } = lastObject(r) as { downloaded: { id: string; file: string; bytes: number } };
      expect(downloaded).toMatchObject({ id: 'mobilenet_v2_1.0_224', bytes: WEIGHTS.length });
      expect(downloaded.file.startsWith(join(dir, 'user'))).toBe(true);
      expect(existsSync(downloaded.file)).toBe(true);
      expect(readdirSync(empty)).toEqual([]);
      // An unknown id is the user's mistake, named as such.
      expectJsonError(await runCli(dir, ['--workspace', empty, 'backbones', 'download', 'nope', '--json']), 'invalid_input');
    } finally {
      delete process.env.LDS_KERAS_WEIGHTS_BASE;
    }
  });
});

describe.skipIf(!existsSync(BUILT) && !process.env.CI)('the built launcher (bin/lds.js)', () => {
  it('prints the error object as the last stdout line and exits non-zero', async () => {
    const ws = join(dir, 'launcher-ws');
    const r = await new Promise<CliResult>((done) => {
      execFile(
        process.execPath,
        [join(REPO, 'bin', 'lds.js'), '--workspace', ws, 'import', '/nonexistent/lds-photos', '--json'],
        { env: { ...process.env, LDS_USER_DATA: join(dir, 'user') } },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expectJsonError(r, 'invalid_input');
    expect(r.stderr).toMatch(/^lds: cannot import \/nonexistent\/lds-photos: no such folder or file/);
    expect(existsSync(ws)).toBe(false);
  });
});
