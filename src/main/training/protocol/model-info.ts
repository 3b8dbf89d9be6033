/**
 * What a model folder (a run's or an `lds export` one) says about itself, read without TensorFlow.js:
 * main decides from this how the training process should predict, without loading a model itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelMetadataSchema, type ModelMetadata } from './model-metadata';
import { preprocessingSchema, type Preprocessing } from './preprocessing-contract';

/** What prediction needs to know about a model folder, from a run's or an export's metadata.json. */
export interface ModelInfo {
  dir: string;
  labels: string[];
  preprocessing: Preprocessing;
  mode: ModelMetadata['mode'] | null;
  runId: string | null;
  backbone: ModelMetadata['backbone'];
}

export function readModelInfo(dir: string): ModelInfo {
  const file = join(dir, 'metadata.json');
  if (!existsSync(join(dir, 'model.json')))
    throw new Error(`${dir}: no model.json here: give a run id or a model folder (a run's folder or an \`lds export\` folder)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read model metadata (${(error as Error).message})`, { cause: error });
  }
  const run = modelMetadataSchema.safeParse(raw);
  if (run.success)
    return {
      dir,
      labels: run.data.labels,
      preprocessing: run.data.preprocessing,
      mode: run.data.mode,
      runId: run.data.runId,
      backbone: run.data.backbone,
    };
  // An exported folder: Teachable Machine keys plus our preprocessing contract.
  const record = (raw ?? {}) as Record<string, unknown>;
  const labels = record.labels;
  const pre = preprocessingSchema.safeParse(record.preprocessing);
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string') || !pre.success) {
    throw new Error(`${file}: no labels and preprocessing contract: not a Little Data Studio model or export`);
  }
  const mode =
    typeof record.mode === 'string' && ['scratch', 'bottleneck', 'finetune'].includes(record.mode)
      ? (record.mode as ModelMetadata['mode'])
      : null;
  return {
    dir,
    labels: labels as string[],
    preprocessing: pre.data,
    mode,
    runId: typeof record.runId === 'string' ? record.runId : null,
    backbone: null,
  };
}
