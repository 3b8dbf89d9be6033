import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { preprocessingSchema } from './preprocessing-contract';

/** metadata.json next to every saved model: what code outside the app needs to reproduce predictions. */
export const modelMetadataSchema = z.object({
  format: z.literal('little-data-studio/model@1'),
  runId: z.string(),
  mode: z.enum(['scratch', 'bottleneck', 'finetune']),
  labels: z.array(z.string()),
  preprocessing: preprocessingSchema,
  backbone: z
    .object({ id: z.string(), name: z.string(), weightsSha256: z.string(), featureLayer: z.string(), topBlockStart: z.string().nullable() })
    .nullable(),
  head: z.object({ hidden: z.number().int(), dropout: z.number(), pooling: z.literal('global-average') }).nullable(),
  tfjsVersion: z.string(),
  createdAt: z.string(),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export function writeModelMetadata(dir: string, metadata: Omit<ModelMetadata, 'format' | 'createdAt'>): void {
  const full: ModelMetadata = { format: 'little-data-studio/model@1', ...metadata, createdAt: new Date().toISOString() };
  writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(full, null, 2)}\n`);
}

export function readModelMetadata(dir: string): ModelMetadata {
  const file = join(dir, 'metadata.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read model metadata (${(error as Error).message})`, { cause: error });
  }
  const parsed = modelMetadataSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: not Little Data Studio model metadata: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
