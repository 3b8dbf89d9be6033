import { utilityProcess, type UtilityProcess } from 'electron';

/** One running training process, whichever way it was started (utilityProcess here, fork under Node). */
export interface TrainingProcessHandle {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** code null with a reason when the process died by a signal or a crash. */
  onExit(listener: (code: number | null, reason: string | null) => void): void;
  kill(): void;
}

export interface UtilityLaunchOptions {
  /** out/main/training-worker.js (inside app.asar when packaged; utilityProcess reads asar). */
  entry: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Where the worker's stdout/stderr go (its log); the default forwards to our console. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  serviceName?: string;
}

/**
 * Starts the training entry in an Electron utilityProcess: a Node process Chromium manages (no
 * second copy of Electron's browser side, killed with the app). The worker talks through
 * process.parentPort there instead of process.send; the entry supports both.
 */
export function launchUtilityTrainingProcess(options: UtilityLaunchOptions): TrainingProcessHandle {
  const child: UtilityProcess = utilityProcess.fork(options.entry, options.args ?? [], {
    serviceName: options.serviceName ?? 'Little Data Studio training',
    stdio: 'pipe',
    env: { ...process.env, ...options.env, LDS_TRAINING_PROCESS: 'utility' },
  });
  const output = options.onOutput ?? ((stream, text) => (stream === 'stderr' ? process.stderr : process.stdout).write(text));
  child.stdout?.on('data', (chunk: Buffer) => output('stdout', chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output('stderr', chunk.toString('utf8')));

  const exitListeners: Array<(code: number | null, reason: string | null) => void> = [];
  let exited = false;
  const finish = (code: number | null, reason: string | null): void => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(code, reason);
  };
  child.on('exit', (code) => finish(code, code === 0 ? null : `the training process exited with code ${code}`));
  // 'error' carries crashes Chromium reports (e.g. FatalError, out of memory) before 'exit'.
  child.on('error', (type, location) => finish(null, `the training process crashed (${type}${location ? ` at ${location}` : ''})`));

  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => {
      child.on('message', (message: unknown) => listener(message));
    },
    onExit: (listener) => {
      exitListeners.push(listener);
    },
    kill: () => {
      if (!exited) child.kill();
    },
  };
}
