import { EngineError } from '../errors';
import { TrainingError } from '../../training/host/supervise-process';

/** Runs a handler body, turning training's errors into the engine's (same code, same message). */
export async function mapTrainingErrors<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TrainingError) throw new EngineError(error.code, error.message);
    throw error;
  }
}
