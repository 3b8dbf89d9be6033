import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** One running training process as main sees it, whatever started it. */
export interface TrainingProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once: exit code, or the signal that ended it (SIGKILL after an OOM kill or kill -9). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts training processes. The Node implementation forks; the desktop app supplies one built on
 * Electron's utilityProcess with the same entry (out/main/training-worker.js).
 */
export interface TrainingProcessLauncher {
  launch(): TrainingProcess;
}

export interface ForkLauncherOptions {
  /** The worker script; defaults to the built training-worker.js next to this bundle, or the TS source. */
  entry?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

const nodeRequire = createRequire(__filename);

/**
 * The worker's entry: the built bundle when running from out/main, else the TypeScript source run
 * through jiti (tests, dev), with the @shared alias the bundler would have resolved.
 */
export function defaultWorkerEntry(): { entry: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  // Bundled code may sit in out/main/ or in its chunks/ folder; the entry is out/main/training-worker.js.
  const built = [join(__dirname, 'training-worker.js'), join(__dirname, '..', 'training-worker.js')].find((p) => existsSync(p));
  if (built) return { entry: built, execArgv: [], env: {} };
  const source = resolve(__dirname, '..', 'worker', 'training-worker.ts');
  const srcRoot = resolve(__dirname, '..', '..', '..');
  const jitiRegister = join(dirname(nodeRequire.resolve('jiti/package.json')), 'lib', 'jiti-register.mjs');
  return {
    entry: source,
    execArgv: ['--import', jitiRegister],
    env: { JITI_ALIAS: JSON.stringify({ '@shared': join(srcRoot, 'shared') }) },
  };
}

export class ForkLauncher implements TrainingProcessLauncher {
  constructor(readonly options: ForkLauncherOptions = {}) {}

  launch(): TrainingProcess {
    const fallback = defaultWorkerEntry();
    const entry = this.options.entry ?? fallback.entry;
    const child: ChildProcess = fork(entry, [], {
      execArgv: this.options.execArgv ?? (this.options.entry ? [] : fallback.execArgv),
      env: { ...process.env, ...(this.options.entry ? {} : fallback.env), ...this.options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message as never);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => {
        let called = false;
        const once = (code: number | null, signal: string | null): void => {
          if (called) return;
          called = true;
          listener(code, signal);
        };
        child.once('exit', once);
        child.once('error', () => once(null, 'spawn-error'));
      },
      kill: (signal) => child.kill(signal),
    };
  }
}
