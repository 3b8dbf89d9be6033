/**
 * `lds [--workspace DIR] <command> [--json]`: the headless door to the same engine the window
 * uses. Built by electron-vite into out/main/cli.js; bin/lds.js calls main().
 */
import { join, resolve } from 'node:path';
import type { ProjectInfo, ResizeMode } from '@shared/contract';
import { CATALOGUE_FILE } from '../catalogue';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { checkUserPath, statBounded } from '../engine/user-paths';
import { usageLines, type CliCommand, type CliContext, type FinishedJob } from './command';
import { COMMANDS } from './commands';
import { commandHelp, generalHelp } from './help';
import { GLOBAL_OPTIONS, nearest, parseCommandLine, UsageError, type OptionValues } from './options';
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
    else if (arg.startsWith('-')) {
      const suggestion = arg.startsWith('--')
        ? nearest(arg.slice(2).split('=')[0] as string, [...Object.keys(GLOBAL_OPTIONS), 'version'])
        : null;
      throw new UsageError(
        `unknown option ${arg}${suggestion ? `; did you mean --${suggestion}?` : ' (options of a command go after its name)'}`,
      );
    } else g.command = arg;
  }
  return g;
}

/** What `--json` prints as its last line when a command fails: a code for scripts, a sentence for people. */
export interface JsonError {
  error: { code: string; message: string };
}

/** The code of a failure: the engine's own, or the CLI's for mistakes in the command line. */
function errorCode(error: unknown): string {
  if (error instanceof UsageError) return 'usage';
  if (error instanceof EngineError) return error.code;
  return 'failed';
}

/**
 * Runs one command line; resolves with the exit code. Never throws. With --json (anywhere on the
 * line, even one that fails to parse) the last line of stdout is one JSON object, on failure
 * `{"error":{"code","message"}}`.
 */
export async function main(argv: string[] = process.argv.slice(2), io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const json = argv.includes('--json');
  let printedJson = false;
  const printJson = (value: unknown): void => {
    stdout.write(`${JSON.stringify(value)}\n`);
    printedJson = true;
  };
  const fail = (message: string, exitCode: number, code = 'failed'): number => {
    stderr.write(`lds: ${message.split('\n')[0]}\n`);
    if (json) printJson({ error: { code, message: message.trim() } } satisfies JsonError);
    return exitCode;
  };

  let global: GlobalArgs;
  try {
    global = splitGlobalArgs(argv);
  } catch (error) {
    return fail(`${(error as Error).message} (try lds --help)`, 2, 'usage');
  }
  const resourcesDir = defaultResourcesDir(env);
  if (global.version) {
    if (json) printJson({ version: appVersion(resourcesDir) });
    else stdout.write(`${appVersion(resourcesDir)}\n`);
    return 0;
  }
  if (global.command === undefined) {
    if (!global.help) {
      stderr.write(`${generalHelp()}\n`);
      return fail('name a command (try lds --help)', 2, 'usage');
    }
    if (json) printJson({ help: generalHelp() });
    else stdout.write(`${generalHelp()}\n`);
    return 0;
  }
  // `lds help <command>` is `lds <command> --help`.
  if (global.command === 'help') {
    const [topic, ...extra] = global.rest.filter((a) => a !== '--json');
    if (topic === undefined || topic.startsWith('-')) {
      if (json) printJson({ help: generalHelp() });
      else stdout.write(`${generalHelp()}\n`);
      return 0;
    }
    if (extra.length) return fail('help takes one command name (try lds help <command>)', 2, 'usage');
    global.command = topic;
    global.rest = [];
    global.help = true;
  }
  const name = global.command;
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const suggestion = nearest(name, [...Object.keys(COMMANDS), 'help']);
    return fail(`unknown command "${name}"${suggestion ? `; did you mean ${suggestion}?` : ''} (try lds --help)`, 2, 'unknown_command');
  }

  let command: CliCommand;
  try {
    command = (await entry.load()).default;
  } catch (error) {
    return fail(`cannot load the ${name} command: ${(error as Error).message}`, 1);
  }
  const usage = `${usageLines(name, command).join(' | ')}; lds help ${name} lists the options`;
  const showHelp = (): number => {
    const text = commandHelp(name, command);
    if (json) printJson({ help: text });
    else stdout.write(`${text}\n`);
    return 0;
  };
  // Help is help even when the rest of the line has a mistake in it.
  if (global.help || global.rest.includes('--help') || global.rest.includes('-h')) return showHelp();

  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseCommandLine(global.rest, command.options ?? {}, command.allowPositionals ?? false));
  } catch (error) {
    return fail(`${name}: ${(error as Error).message} (usage: ${usage})`, 2, 'usage');
  }
  const workspaceArg = (values.workspace as string | undefined) ?? global.workspace;
  const workspace = resolve(cwd, workspaceArg ?? '.');

  const engine = new Engine({ userDataDir: defaultUserDataDir(env), resourcesDir, version: appVersion(resourcesDir) });
  const openProject = (options: { create?: boolean; resizeMode?: ResizeMode } = {}): Promise<ProjectInfo> =>
    engine.call('project.open', {
      dir: workspace,
      create: options.create ?? false,
      ...(options.resizeMode ? { resizeMode: options.resizeMode } : {}),
    });
  const ctx: CliContext = {
    engine,
    workspace,
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
    printJson,
    openProject,
    openProjectIfAny: async () => {
      // Bounded like every look at a user's path: a hung drive fails the command instead of hanging it.
      const found = await statBounded(join(await checkUserPath(workspace, 'open a project in'), CATALOGUE_FILE));
      return found ? openProject() : null;
    },
    runJob: (start) => runJob(engine, start, stderr),
  };
  let exitCode: number;
  try {
    exitCode = (await command.run(ctx)) ?? 0;
    if (json && !printedJson) {
      if (exitCode === 0) printJson({ ok: true });
      else
        fail(
          exitCode === 130 ? `${name} was cancelled` : `${name} failed (exit code ${exitCode})`,
          exitCode,
          exitCode === 130 ? 'cancelled' : 'failed',
        );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) exitCode = fail(`${name}: ${message} (usage: ${usage})`, 2, 'usage');
    else exitCode = fail(message, 1, errorCode(error));
  } finally {
    try {
      await engine.close();
    } catch (error) {
      stderr.write(`lds: closing the project failed: ${(error as Error).message}\n`);
    }
  }
  return exitCode;
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
