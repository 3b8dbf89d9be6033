/**
 * `npm start` for real on a machine where Electron cannot launch: one line saying why, then browser
 * mode serving the studio. Electron is pointed at an empty folder so the fallback is taken even where
 * the binary happens to be installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'lds-start-'));
let child: ChildProcess | null = null;

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((done) => child?.once('exit', done));
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm start without a usable Electron', () => {
  it('says why in one line and serves the studio in browser mode', async () => {
    child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-open', '--port', '0'], {
      cwd: root,
      env: {
        ...process.env,
        ELECTRON_OVERRIDE_DIST_PATH: join(scratch, 'no-electron'),
        LDS_USER_DATA: join(scratch, 'user'),
        DISPLAY: ':99',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 90 s\nstdout: ${stdout}\nstderr: ${stderr}`)), 90_000);
      child?.on('exit', (code) => reject(new Error(`npm start exited (${code}) before serving\nstdout: ${stdout}\nstderr: ${stderr}`)));
      child?.stdout?.on('data', () => {
        const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]!);
        }
      });
    });
    const why = stderr.split('\n').filter((line) => line.startsWith('The desktop window cannot open'));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/Electron's binary is missing .*Starting browser mode instead\.$/);

    // Browser mode trades the printed token for a cookie on the first load.
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await fetch(new URL(first.headers.get('location') ?? '/', url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');

    const exited = new Promise<number | null>((done) => child?.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
