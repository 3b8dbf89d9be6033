import { z } from 'zod';
import { preprocessingKey, preprocessingSchema } from '../protocol/preprocessing-contract';

/** Everything the training process needs to know about a backbone; stored in the catalogue. */
export const backboneSpecSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** 'bundled' or the folder it was added from. */
  source: z.string(),
  /** Folder holding model.json and its weights. */
  dir: z.string(),
  weightsSha256: z.string(),
  featureLayer: z.string(),
  /** First layer of the block fine-tuning unfreezes; the block runs from it to featureLayer. Null: no fine-tuning. */
  topBlockStart: z.string().nullable(),
  preprocessing: preprocessingSchema,
});
export type BackboneSpec = z.infer<typeof backboneSpecSchema>;

export const DEFAULT_BACKBONE_ID = 'mobilenet_v2_0.35_224';

/** The feature-cache key part for a backbone: id, weights, input size and preprocessing together. */
export function backboneKey(spec: BackboneSpec): string {
  return `${spec.id}|${spec.weightsSha256.slice(0, 16)}|${spec.featureLayer}|${preprocessingKey(spec.preprocessing)}`;
}

/** The spec with the project's resize mode in its preprocessing (and so in its feature-cache key). */
export function withResizeMode(spec: BackboneSpec, fit: 'stretch' | 'centre-crop'): BackboneSpec {
  return { ...spec, preprocessing: { ...spec.preprocessing, fit } };
}
