import type { ProjectInfo } from '@shared/contract';
import { EngineError } from './errors';
import type { EngineOptions } from './engine';
import type { EventBus } from './event-bus';

/** STUB (foundation helper replaces): owns the open workspace and the recent-projects list. */
export class ProjectService {
  constructor(
    readonly options: EngineOptions,
    readonly events: EventBus,
  ) {}

  current(): ProjectInfo | null {
    return null;
  }

  require(): never {
    throw new EngineError('no_project', 'No project is open: open or create one first.');
  }

  close(): void {}
}
