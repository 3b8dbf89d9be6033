import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/main/cli/commands';
import { editDistance, nearest, parseCommandLine } from '../../../src/main/cli/options';
import { lastJson, runCli } from './run-cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-cli-help-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lds help (issue 17, item 5)', () => {
  it('lds train --help lists every option with its meaning, default and allowed values', async () => {
    const { code, stdout: text } = await runCli(dir, ['train', '--help']);
    expect(code).toBe(0);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    // Descriptions wrap under their column; read each option as one line.
    const stdout = text.replace(/\n {20,}/g, ' ');
    expect(stdout).toMatch(/^usage: lds train \[options\]\n/);
    const command = (await COMMANDS.train!.load()).default;
    for (const name of Object.keys(command.options ?? {})) expect(stdout, name).toMatch(new RegExp(`^ +(-\\w, )?--${name}\\b`, 'm'));
    expect(stdout).toMatch(/--mode MODE +scratch: .*\(one of scratch, bottleneck, finetune, auto; default: auto\)/);
    // Defaults that depend on the mode come from the training defaults themselves.
    expect(stdout).toMatch(/--epochs N +most epochs .*\(a whole number from 1 to 1000; default: scratch 50, bottleneck 40, finetune 10\)/);
    expect(stdout).toMatch(/--device NAME .*one of auto, cpu, dml, coreml, cuda/);
    expect(stdout).toMatch(/global options:\n.*--workspace DIR/);
  });

  it("lds label-issues --help gives its own fold-head epochs, kfold the bottleneck mode's", async () => {
    const oneLine = async (name: string): Promise<string> => (await runCli(dir, [name, '--help'])).stdout.replace(/\n {20,}/g, ' ');
    expect(await oneLine('label-issues')).toMatch(/--epochs N +most epochs per fold .*default: 10\)/);
    expect(await oneLine('kfold')).toMatch(/--epochs N +most epochs per fold .*default: the bottleneck mode's\)/);
  });

  it('every command has help: its forms and a line for every option it parses', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const viaFlag = await runCli(dir, [name, '--help']);
      const viaHelp = await runCli(dir, ['help', name]);
      expect(viaFlag.code, name).toBe(0);
      expect(viaHelp.stdout, name).toBe(viaFlag.stdout);
      expect(viaFlag.stdout, name).toMatch(new RegExp(`^usage: lds ${name}\\b`));
      expect(viaFlag.stdout.replace(/\n/g, ' '), name).toContain(entry.summary);
      for (const line of viaFlag.stdout.split('\n')) expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(100);
      const command = (await entry.load()).default;
      for (const [option, spec] of Object.entries(command.options ?? {})) {
        expect(spec.description.length, `${name} --${option}`).toBeGreaterThan(5);
        expect(viaFlag.stdout, `${name} --${option}`).toContain(`--${option}`);
      }
    }
  });

  it('lds --help and lds help list the commands, one line each; help works with --json', async () => {
    const general = await runCli(dir, ['--help']);
    expect(general.code).toBe(0);
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    for (const [name, entry] of Object.entries(COMMANDS)) expect(general.stdout).toContain(`  ${name.padEnd(width)}  ${entry.summary}\n`);
    expect((await runCli(dir, ['help'])).stdout).toBe(general.stdout);
    expect(lastJson((await runCli(dir, ['help', 'import', '--json'])).stdout).help).toMatch(/--labels FILE/);
  });

  it('refuses unknown options and commands with the nearest one suggested', async () => {
    const epoch = await runCli(dir, ['train', '--epoch', '3']);
    expect(epoch.code).toBe(2);
    expect(epoch.stderr).toMatch(
      /^lds: train: unknown option --epoch; did you mean --epochs\? \(usage: lds train \[options\]; lds help train lists the options\)/,
    );
    expect((await runCli(dir, ['import', 'x', '--label', 'l.csv'])).stderr).toMatch(/unknown option --label; did you mean --labels\?/);
    expect((await runCli(dir, ['status', '--jsno'])).stderr).toMatch(/unknown option --jsno; did you mean --json\?/);
    expect((await runCli(dir, ['status', '--frobnicate'])).stderr).toMatch(/unknown option --frobnicate \(usage/);
    expect((await runCli(dir, ['train', '--mode', 'finetun'])).stderr).toMatch(
      /--mode must be one of scratch, bottleneck, finetune, auto, got "finetun"; did you mean finetune\?/,
    );
    const command = await runCli(dir, ['trian']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^lds: unknown command "trian"; did you mean train\? \(try lds --help\)/);
    expect((await runCli(dir, ['help', 'exprot'])).stderr).toMatch(/unknown command "exprot"; did you mean export\?/);
    expect((await runCli(dir, ['--workspce', 'x', 'status'])).stderr).toMatch(/unknown option --workspce; did you mean --workspace\?/);
    const json = await runCli(dir, ['train', '--epoch', '3', '--json']);
    expect(lastJson(json.stdout)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/did you mean --epochs\?/) } });
  });

  it('says when an option lacks its value, and help wins over a mistake elsewhere on the line', async () => {
    expect((await runCli(dir, ['train', '--epochs'])).stderr).toMatch(/^lds: train: --epochs needs a value/);
    expect((await runCli(dir, ['train', '--bogus', '--help'])).code).toBe(0);
  });
});

describe('the option parser', () => {
  it('measures edits with transpositions and suggests only what is close', () => {
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('trian', 'train')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearest('epoch', ['epochs', 'seed', 'lr'])).toBe('epochs');
    expect(nearest('xyz', ['epochs', 'seed'])).toBeNull();
    expect(nearest('cache', ['cache-variants', 'variants'])).toBe('cache-variants');
  });

  it('parses with the table, global options included, and checks choices', () => {
    const table = {
      mode: { type: 'string', description: 'the mode', choices: ['a', 'b'] },
      n: { type: 'string', description: 'a count' },
    } as const;
    expect(parseCommandLine(['--mode', 'a', 'pos', '--json', '-w', 'ws'], table, true)).toEqual({
      values: { mode: 'a', json: true, workspace: 'ws' },
      positionals: ['pos'],
    });
    expect(() => parseCommandLine(['pos'], table, false)).toThrow('unexpected argument "pos" (this command takes options only)');
    expect(() => parseCommandLine(['--mode', 'c'], table, false)).toThrow('--mode must be one of a, b, got "c"');
    expect(() => parseCommandLine(['-x'], table, false)).toThrow('unknown option -x');
  });
});
