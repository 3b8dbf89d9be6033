import {
  commands,
  isCommandName,
  parseInput,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type InvokeResult,
} from '@shared/contract';
import { JobRunner } from '../jobs/job-runner';
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
import { projectHandlers } from './handlers/project';
import { trainingHandlers } from './handlers/training';
import { ProjectService } from './project-service';
import { checkUserPath, userPathsOf } from './user-paths';

export interface EngineOptions {
  /** Per-user state: recent projects, the sample project's workspace. */
  userDataDir: string;
  /** Bundled resources: sample images, default backbone. */
  resourcesDir: string;
  version: string;
  /** Native dialogs and the file manager; only the Electron shell provides them. */
  desktop?: DesktopServices;
}

/**
 * The one service behind the contract. Transports (Electron IPC, browser-mode WebSocket, CLI) call
 * invoke() with untrusted input and subscribe to events; nothing here knows which transport it is.
 */
export class Engine {
  readonly events = new EventBus();
  readonly jobs = new JobRunner(this.events);
  readonly projects: ProjectService;
  readonly #handlers: HandlerMap<CommandName>;

  constructor(readonly options: EngineOptions) {
    this.projects = new ProjectService(options, this.events);
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
    };
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
