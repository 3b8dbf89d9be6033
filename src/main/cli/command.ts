import { EXECUTION_PROVIDER_CHOICES, type ProjectInfo, type ResizeMode } from '@shared/contract';
import type { Engine } from '../engine/engine';
import { UsageError, type OptionSpec, type OptionTable, type OptionValues } from './options';

export { UsageError, type OptionSpec, type OptionTable, type OptionValues } from './options';

export interface FinishedJob {
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  error: string | null;
  result: unknown;
}

/** What a command gets: the engine, its parsed arguments, and the ways to talk back. */
export interface CliContext {
  readonly engine: Engine;
  /** --workspace, resolved; the current directory when not given. */
  readonly workspace: string;
  readonly workspaceGiven: boolean;
  /** Where relative paths on the command line are resolved from. */
  readonly cwd: string;
  readonly json: boolean;
  readonly positionals: string[];
  readonly values: OptionValues;
  /** Human output (stdout). */
  out(line: string): void;
  /** Progress and notes (stderr), so stdout stays parseable. */
  err(line: string): void;
  /** With --json: prints the one JSON object as the last line of stdout. */
  printJson(value: unknown): void;
  openProject(options?: { create?: boolean; resizeMode?: ResizeMode }): Promise<ProjectInfo>;
  /**
   * For commands that need no project but use one when it is there (doctor, backbones download):
   * opens the workspace if it holds a catalogue, else resolves null and creates nothing.
   */
  openProjectIfAny(): Promise<ProjectInfo | null>;
  /**
   * Starts a job through a contract command, shows its progress on stderr (a bar on a TTY), cancels
   * it on Ctrl+C, and resolves with how it ended.
   */
  runJob(start: () => Promise<{ jobId: string }>): Promise<FinishedJob>;
}

export interface CliCommand {
  /**
   * The arguments of each way to call it, without the options: `['<folder>...']`, or several forms
   * (`['<run> --out DIR', '--dataset --out DIR']`). None: the command takes options only.
   */
  forms?: string[];
  /** Every option of this command, for the parser and for help alike (--workspace, --json and --help are global). */
  options?: OptionTable;
  allowPositionals?: boolean;
  /** Lines help prints after the options: what a form means, an example. */
  notes?: string[];
  /**
   * Exit code: 0 (or nothing) for success. Throw Error for a failure with one clear line (an
   * EngineError keeps its code in the `--json` error object; UsageError adds the usage line).
   */
  run(ctx: CliContext): Promise<number | void>;
}

export function defineCommand(command: CliCommand): CliCommand {
  return command;
}

/** Reads a numeric option, naming it in the error when it is not a number. */
export function numberOption(values: OptionValues, name: string, check?: (n: number) => boolean, hint = 'a number'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || (check && !check(n))) {
    throw new UsageError(`--${name} must be ${hint}, got "${String(raw)}"`);
  }
  return n;
}

/**
 * --device for the forward engine (auto, cpu, dml, coreml, cuda): every job this command starts
 * runs its backbone passes there; the Settings view's stored choice is left alone.
 */
export function useDeviceOption(ctx: CliContext): void {
  const device = ctx.values.device;
  if (typeof device !== 'string') return;
  try {
    ctx.engine.device.override(device);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export const DEVICE_OPTION: Record<'device', OptionSpec> = {
  device: {
    type: 'string',
    value: 'NAME',
    description: 'where backbone passes run for this command (the Settings choice is left alone)',
    choices: ['auto', ...EXECUTION_PROVIDER_CHOICES],
    default: 'the Settings choice, else auto',
  },
};

/** Options of the commands that train a head per fold on cached features (kfold, label-issues). */
export const FOLD_TRAINING_OPTIONS: Record<'epochs' | 'seed' | 'backbone', OptionSpec> = {
  epochs: {
    type: 'string',
    value: 'N',
    description: 'most epochs per fold',
    default: "the bottleneck mode's",
    allowed: 'a whole number ≥ 1',
  },
  seed: { type: 'string', value: 'N', description: 'seed of the folds and the training', default: '42', allowed: 'a whole number' },
  backbone: {
    type: 'string',
    value: 'ID',
    description: 'pretrained backbone (lds backbones lists them)',
    default: 'the first installed',
  },
};

/** The usage lines of a command: one per form, options shown as [options] when it has any. */
export function usageLines(name: string, command: CliCommand): string[] {
  const options = Object.keys(command.options ?? {}).length ? ' [options]' : '';
  return (command.forms ?? ['']).map((form) => `lds ${name}${form ? ` ${form}` : ''}${options}`);
}
