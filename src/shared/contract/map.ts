import { z } from 'zod';
import { command } from './define';
import { empty, idSchema, jobStartedSchema } from './common';

export const mapPointSchema = z.object({ id: idSchema, x: z.number(), y: z.number() });
export type MapPoint = z.infer<typeof mapPointSchema>;

/** The dataset map: every usable image's backbone features laid out in 2-D (PCA, then seeded UMAP). */
export const mapLayoutSchema = z.object({
  /** One per image, coordinates in [-1, 1]; close points have similar features. */
  points: z.array(mapPointSchema),
  backbone: z.string(),
  seed: z.number().int(),
  featuresComputed: z.number().int(),
  featuresFromCache: z.number().int(),
  /** The whole job; layoutSeconds is PCA + UMAP alone (the features came from the cache or the backbone). */
  seconds: z.number(),
  layoutSeconds: z.number(),
  createdAt: z.string(),
});
export type MapLayout = z.infer<typeof mapLayoutSchema>;

export const mapLayoutRequestSchema = z
  .object({
    backbone: z.string().min(1).max(200).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
  })
  .strict();
export type MapLayoutRequest = z.input<typeof mapLayoutRequestSchema>;

export const mapCommands = {
  /** Lay out every image with a present, readable file: a job; its result is the MapLayout (also kept for map.get). */
  'map.layout': command(mapLayoutRequestSchema, jobStartedSchema),
  /** The last layout of the open project (images removed since dropped; images added since not on it), or null. */
  'map.get': command(empty, mapLayoutSchema.extend({ missing: z.number().int() }).nullable()),
};
