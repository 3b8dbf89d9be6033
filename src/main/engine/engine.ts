import {
  commands,
  isCommandName,
  parseInput,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type InvokeResult,
} from '@shared/contract';
import { join } from 'node:path';
import { EvaluationService } from '../evaluation/service';
import { JobRunner } from '../jobs/job-runner';
import { DeviceSetting } from './device-setting';
import { WorkspaceBackbones } from '../training/backbones/workspace-backbones';
import { ForkLauncher, type TrainingProcessLauncher } from '../training/host/launcher';
import { RunManager } from '../training/host/run-manager';
import { EngineError, toContractError } from './errors';
import { EventBus } from './event-bus';
import type { HandlerMap } from './handler';
import { augmentHandlers } from './handlers/augment';
import { backboneHandlers } from './handlers/backbones';
import { cacheHandlers } from './handlers/caches';
import { desktopHandlers, type DesktopServices } from './handlers/desktop';
import { evaluationHandlers } from './handlers/evaluation';
import { jobHandlers } from './handlers/jobs';
import { libraryHandlers } from './handlers/library';
import { mapHandlers } from './handlers/map';
import { projectHandlers } from './handlers/project';
import { trainingHandlers } from './handlers/training';
import { ProjectService } from './project-service';
import { checkUserPath, userPathsOf } from './user-paths';
import type { Workspace } from './workspace';

export interface EngineOptions {
  /** Per-user state: recent projects, the sample project's workspace. */
  userDataDir: string;
  /** Bundled resources: sample images, default backbone. */
  resourcesDir: string;
  version: string;
  /** Native dialogs and the file manager; only the Electron shell provides them. */
  desktop?: DesktopServices;
  /** Starts training processes: the desktop app's utilityProcess launcher; by default Node forks. */
  launcher?: TrainingProcessLauncher;
}

/** The open project's training side; doors that need more than the contract use these. */
export interface TrainingServices {
  backbones: WorkspaceBackbones;
  runs: RunManager;
  evaluation: EvaluationService;
}

/**
 * The one service behind the contract. Transports (Electron IPC, browser-mode WebSocket, CLI) call
 * invoke() with untrusted input and subscribe to events; nothing here knows which transport it is.
 */
export class Engine {
  readonly events = new EventBus();
  readonly jobs = new JobRunner(this.events);
  readonly projects: ProjectService;
  /** Where backbone forward passes run (the Settings view's device choice). */
  readonly device: DeviceSetting;
  /** Training, and the TensorFlow.js work on finished models, run in processes this starts. */
  readonly launcher: TrainingProcessLauncher;
  readonly #handlers: HandlerMap<CommandName>;
  #training: (TrainingServices & { workspace: Workspace }) | null = null;

  constructor(readonly options: EngineOptions) {
    this.projects = new ProjectService(options, this.events);
    this.device = new DeviceSetting(options.userDataDir);
    this.launcher = options.launcher ?? new ForkLauncher();
    this.#handlers = {
      ...projectHandlers(this),
      ...libraryHandlers(this),
      ...jobHandlers(this),
      ...desktopHandlers(this),
      ...augmentHandlers(this),
      ...trainingHandlers(this),
      ...evaluationHandlers(this),
      ...cacheHandlers(this),
      ...backboneHandlers(this),
      ...mapHandlers(this),
    };
  }

  /** The open project's training services, made on first use (one set per open workspace). */
  training(): TrainingServices {
    const ws = this.projects.require();
    if (this.#training?.workspace === ws) return this.#training;
    const { catalogue, runsDir, featuresDir } = ws;
    const backbones = new WorkspaceBackbones({
      catalogue,
      resourcesDir: this.options.resourcesDir,
      registryDir: join(ws.dir, 'backbones'),
      jobs: this.jobs,
    });
    const runs = new RunManager({
      catalogue,
      runsDir,
      featuresDir,
      resizeMode: ws.resizeMode,
      backbones,
      jobs: this.jobs,
      events: this.events,
      launcher: this.launcher,
      holdOpen: (work) => ws.use(work),
      closing: ws.closingSignal,
    });
    const evaluation = new EvaluationService({
      catalogue,
      runs,
      backbones,
      resizeMode: ws.resizeMode,
      runsDir,
      featuresDir,
      appVersion: this.options.version,
      launcher: this.launcher,
      device: () => this.device.resolve(),
      labelIssuesFile: join(ws.dir, 'label-issues.json'),
    });
    this.#training = { workspace: ws, backbones, runs, evaluation };
    return this.#training;
  }

  /** Validates and runs a command from an untrusted caller. Never throws. */
  async invoke(name: unknown, input: unknown): Promise<InvokeResult> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'unknown_command', message: `unknown command: ${String(name).slice(0, 64)}` } };
    }
    const parsed = parseInput(name, input);
    if (!parsed.ok) return parsed;
    try {
      // Before any handler touches them: no system folders, and a hung mount fails instead of hanging us.
      for (const check of userPathsOf(name, parsed.value as CommandInput<CommandName>)) await checkUserPath(check.path, check.what);
      const handler = this.#handlers[name] as (arg: unknown) => unknown;
      const output = await handler(parsed.value);
      // Outputs are checked in development and tests so the contract cannot silently drift.
      if (process.env.LDS_CHECK_OUTPUTS === '1') commands[name].output.parse(output);
      return { ok: true, output: output as CommandOutput<CommandName> };
    } catch (error) {
      return { ok: false, error: toContractError(error) };
    }
  }

  /** Typed convenience for in-process callers (CLI, tests): throws EngineError on failure. */
  async call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
    const result = await this.invoke(name, input);
    if (!result.ok) throw new EngineError(result.error.code, result.error.message);
    return result.output as CommandOutput<N>;
  }

  async close(): Promise<void> {
    await this.jobs.cancelAll();
    this.projects.close();
  }
}
