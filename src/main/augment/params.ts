import { augmentParamsSchema, type AugmentParams } from '@shared/contract/augment';
import { describeIssues } from '@shared/contract';

export class AugmentParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AugmentParamsError';
  }
}

/** Validates parameters from anywhere (a preset row, --params JSON, a run config); `source` names it in the message. */
export function parseAugmentParams(input: unknown, source = 'augmentation parameters'): AugmentParams {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new AugmentParamsError(`${source}: not valid JSON (${(error as Error).message})`);
    }
  }
  const parsed = augmentParamsSchema.safeParse(value);
  if (!parsed.success) throw new AugmentParamsError(`${source}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
