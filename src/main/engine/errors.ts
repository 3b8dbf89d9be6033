import type { ContractError } from '@shared/contract';

/** An error the engine means to show the user: a code for callers and a sentence for people. */
export class EngineError extends Error {
  constructor(
    readonly code: ContractError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function toContractError(error: unknown): ContractError {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  return { code: 'failed', message: error instanceof Error ? error.message : String(error) };
}
