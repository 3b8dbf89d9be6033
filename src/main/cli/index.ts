/**
 * `lds [--workspace DIR] <command> [--json]`: the headless door to the same engine the window
 * uses. Built by electron-vite into out/main/cli.js; bin/lds.js calls main().
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/engine';
import { UsageError, type CliCommand, type CliContext, type FinishedJob, type OptionValues } from './command';
import { COMMANDS } from './commands';
import { appVersion, defaultResourcesDir, defaultUserDataDir } from './paths';
import { createProgressPrinter } from './progress';

// bin/lds.js asks this before exiting: calls blocked on a hung drive make a normal exit wait for ever.
export { abandonedFsCalls } from '../engine/user-paths';

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface GlobalArgs {
  workspace: string | undefined;
  json: boolean;
  help: boolean;
  version: boolean;
  command: string | undefined;
  rest: string[];
}

function splitGlobalArgs(argv: string[]): GlobalArgs {
  const g: GlobalArgs = { workspace: undefined, json: false, help: false, version: false, command: undefined, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (g.command !== undefined) {
      g.rest.push(arg);
    } else if (arg === '--workspace' || arg === '-w') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new UsageError('--workspace needs a folder');
      g.workspace = value;
    } else if (arg.startsWith('--workspace=')) {
      g.workspace = arg.slice('--workspace='.length);
    } else if (arg === '--json') g.json = true;
    else if (arg === '--help' || arg === '-h') g.help = true;
    else if (arg === '--version' || arg === '-V') g.version = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else g.command = arg;
  }
  return g;
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Little Data Studio — small image datasets: import, label, augment, train.',
    '',
    'usage: lds [--workspace DIR] <command> [options] [--json]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`),
    '',
    'global options:',
    '  --workspace DIR  the project folder (default: the current directory)',
    '  --json           print one JSON object as the last line of stdout',
    '  --help           help for lds or for a command',
    '',
    'environment: LDS_USER_DATA (recent projects, sample project), LDS_RESOURCES (bundled resources)',
  ].join('\n');
}

/** Runs one command line; resolves with the exit code. Never throws. */
export async function main(argv: string[] = process.argv.slice(2), io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const fail = (message: string, code: number): number => {
    stderr.write(`lds: ${message.split('\n')[0]}\n`);
    return code;
  };

  let global: GlobalArgs;
  try {
    global = splitGlobalArgs(argv);
  } catch (error) {
    return fail(`${(error as Error).message} (try lds --help)`, 2);
  }
  const resourcesDir = defaultResourcesDir(env);
  if (global.version) {
    stdout.write(`${appVersion(resourcesDir)}\n`);
    return 0;
  }
  if (global.command === undefined) {
    (global.help ? stdout : stderr).write(`${generalHelp()}\n`);
    return global.help ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, global.command) ? COMMANDS[global.command] : undefined;
  if (!entry) return fail(`unknown command "${global.command}" (try lds --help)`, 2);

  let command: CliCommand;
  try {
    command = (await entry.load()).default;
  } catch (error) {
    return fail(`cannot load the ${global.command} command: ${(error as Error).message}`, 1);
  }

  let values: OptionValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: global.rest,
      options: { ...command.options, workspace: { type: 'string', short: 'w' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    values = parsed.values as OptionValues;
    positionals = parsed.positionals;
  } catch (error) {
    return fail(`${global.command}: ${(error as Error).message} (usage: lds ${command.usage})`, 2);
  }
  if (global.help || values.help) {
    stdout.write(`usage: lds [--workspace DIR] ${command.usage}\n  ${entry.summary}\n`);
    return 0;
  }
  const workspaceArg = (values.workspace as string | undefined) ?? global.workspace;
  const json = global.json || values.json === true;

  const engine = new Engine({ userDataDir: defaultUserDataDir(env), resourcesDir, version: appVersion(resourcesDir) });
  const ctx: CliContext = {
    engine,
    workspace: resolve(cwd, workspaceArg ?? '.'),
    workspaceGiven: workspaceArg !== undefined,
    cwd,
    json,
    positionals,
    values,
    out: (line) => {
      // With --json, stdout carries only the JSON line; human text goes to stderr.
      (json ? stderr : stdout).write(`${line}\n`);
    },
    err: (line) => stderr.write(`${line}\n`),
    printJson: (value) => stdout.write(`${JSON.stringify(value)}\n`),
    openProject: (options = {}) => engine.call('project.open', { dir: resolve(cwd, workspaceArg ?? '.'), create: options.create ?? false }),
    runJob: (start) => runJob(engine, start, stderr),
  };
  try {
    return (await command.run(ctx)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return fail(`${global.command}: ${error.message} (usage: lds ${command.usage})`, 2);
    return fail(error instanceof Error ? error.message : String(error), 1);
  } finally {
    await engine.close();
  }
}

async function runJob(engine: Engine, start: () => Promise<{ jobId: string }>, stderr: NodeJS.WriteStream): Promise<FinishedJob> {
  const printer = createProgressPrinter(stderr);
  const finished = new Map<string, FinishedJob>();
  let jobId: string | null = null;
  let resolveDone: (job: FinishedJob) => void = () => {};
  const done = new Promise<FinishedJob>((ok) => (resolveDone = ok));
  // Listen before starting: a small job can finish before start() returns its id.
  const off = engine.events.subscribe((event, payload) => {
    if (event === 'job.progress' && payload.id === jobId) printer.update(payload);
    if (event === 'job.finished') {
      const job: FinishedJob = { status: payload.status, error: payload.error, result: payload.result };
      if (payload.id === jobId) {
        // The last throttled progress may never have been sent; show where the job ended.
        printer.update(payload);
        resolveDone(job);
      } else finished.set(payload.id, job);
    }
  });
  const onSigint = (): void => {
    if (jobId) void engine.invoke('jobs.cancel', { id: jobId });
    stderr.write('\ncancelling…\n');
  };
  process.on('SIGINT', onSigint);
  try {
    jobId = (await start()).jobId;
    const early = finished.get(jobId);
    if (early) resolveDone(early);
    return await done;
  } finally {
    printer.done();
    off();
    process.off('SIGINT', onSigint);
  }
}

// Run directly (`node out/main/cli.js ...`) as well as through bin/lds.js.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
