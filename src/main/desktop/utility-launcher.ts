import { utilityProcess, type UtilityProcess } from 'electron';
import type { TrainingProcess, TrainingProcessLauncher } from '../training/host/launcher';

export interface UtilityLaunchOptions {
  /** out/main/training-worker.js (inside app.asar when packaged; utilityProcess reads asar). */
  entry: string;
  env?: NodeJS.ProcessEnv;
  /** Where the worker's stdout/stderr go (its log); the default forwards to our console. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/**
 * Starts the training entry in an Electron utilityProcess: a Node process Chromium manages (killed
 * with the app, no second Electron). The worker talks through process.parentPort there instead of
 * process.send; the entry supports both. Same interface as the Node ForkLauncher.
 */
export class UtilityProcessLauncher implements TrainingProcessLauncher {
  constructor(readonly options: UtilityLaunchOptions) {}

  launch(): TrainingProcess {
    const child: UtilityProcess = utilityProcess.fork(this.options.entry, [], {
      serviceName: 'Little Data Studio training',
      stdio: 'pipe',
      env: { ...process.env, ...this.options.env, LDS_TRAINING_PROCESS: 'utility' },
    });
    const output =
      this.options.onOutput ??
      ((stream: 'stdout' | 'stderr', text: string) => (stream === 'stderr' ? process.stderr : process.stdout).write(text));
    child.stdout?.on('data', (chunk: Buffer) => output('stdout', chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => output('stderr', chunk.toString('utf8')));

    const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
    let exited = false;
    const finish = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(code, signal);
    };
    child.on('exit', (code) => finish(code, null));
    // A V8 fatal error (out of memory among them) arrives as 'error' before 'exit': report its type
    // where a forked process would report the signal.
    child.on('error', (type) => finish(null, type));

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
}
