import { describe, expect, it } from 'vitest';
import {
  failureReason,
  largestPeak,
  meaningfulLine,
  parseLastJson,
  parseStatPpid,
  parseVmHwm,
  runCommand,
  type RunResult,
} from '../../bench/lib/proc';

const base: RunResult = { code: 0, signal: null, stdout: '', stderr: '', seconds: 1, timedOut: false, root: null, descendants: [] };

describe('process measurement', () => {
  it('parses VmHWM and the parent pid from /proc text', () => {
    expect(parseVmHwm('Name:\tnode\nVmPeak:\t 900 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n')).toBe(204800 * 1024);
    expect(parseVmHwm('Name:\tkthreadd\n')).toBeNull();
    // A command name with spaces and a parenthesis must not shift the fields.
    expect(parseStatPpid('1234 (my (odd) proc) S 77 1234 1234 0 -1')).toBe(77);
  });

  it('takes the last JSON object line of stdout, skipping progress and arrays', () => {
    expect(parseLastJson('progress 10%\n{"a":1}\n{"runId":"r1","valAccuracy":0.95}\n')).toEqual({ runId: 'r1', valAccuracy: 0.95 });
    expect(parseLastJson('{"a":1}\n[1,2]\n{not json\n')).toEqual({ a: 1 });
    expect(parseLastJson('nothing here')).toBeNull();
  });

  it('says why a command gave no result', () => {
    expect(failureReason({ ...base, stdout: '{"ok":true}' }, 'lds import')).toBeNull();
    expect(failureReason({ ...base, code: 1, stderr: 'progress\nlds: no such folder /x\n' }, 'lds import')).toBe(
      'lds import failed: lds: no such folder /x',
    );
    expect(failureReason({ ...base, stdout: 'hello' }, 'lds train')).toMatch(/printed no JSON result/);
    expect(failureReason({ ...base, code: null, timedOut: true, seconds: 61 }, 'lds train')).toBe('lds train timed out after 61 s');
  });

  it('finds the line that explains a crash, not the stack-trace noise', () => {
    const crash = `{"runs":[]}\nnode:internal/bootstrap/node:123\n        validateInteger(value, 'code');\n        ^\n\nTypeError [ERR_INVALID_ARG_TYPE]: The "code" argument must be of type number. Received type boolean (true)\n    at process.set [as exitCode] (node:internal/bootstrap/node:123:9)\n{\n  code: 'ERR_INVALID_ARG_TYPE'\n}\n\nNode.js v20.20.2\n`;
    expect(meaningfulLine(crash)).toBe(
      'TypeError [ERR_INVALID_ARG_TYPE]: The "code" argument must be of type number. Received type boolean (true)',
    );
    expect(meaningfulLine('progress 50%\nlds: no project here\n')).toBe('lds: no project here');
    expect(meaningfulLine('a plain last line\n    at foo (x.js:1:1)\n')).toBe('a plain last line');
    expect(failureReason({ ...base, code: 1, stderr: crash }, 'lds runs')).toMatch(/^lds runs failed: TypeError \[ERR_INVALID_ARG_TYPE\]/);
  });

  it('measures the peak RSS of a child process and of its own child', async () => {
    // The grandchild holds ~64 MB for a moment, like the CLI's forked training process.
    const grandchild = 'const b = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => console.log(b[5]), 800);';
    const child = `const { spawnSync } = require('node:child_process'); const r = spawnSync(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { encoding: 'utf8' }); console.log(JSON.stringify({ out: r.stdout.trim() }));`;
    const result = await runCommand(process.execPath, ['-e', child], { sampleMs: 50, timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    expect(parseLastJson(result.stdout)).toEqual({ out: '1' });
    expect(result.root?.peakRssBytes).toBeGreaterThan(0);
    const peak = largestPeak(result);
    expect(result.descendants.length).toBeGreaterThanOrEqual(1);
    expect(peak!.peakRssBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(peak!.pid).not.toBe(result.root!.pid);
  });

  it('kills the whole tree on timeout', async () => {
    const result = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.seconds).toBeLessThan(10);
    expect(failureReason(result, 'sleep')).toMatch(/timed out/);
  });
});
