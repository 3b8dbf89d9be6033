import { z } from 'zod';
import { command } from './define';
import { empty } from './common';

/** Derivable caches of the open project: both rebuild themselves when needed. */
export const CACHE_NAMES = ['thumbnails', 'features'] as const;
export const cacheNameSchema = z.enum(CACHE_NAMES);
export type CacheName = z.infer<typeof cacheNameSchema>;

export const cacheSizesSchema = z.object({ thumbnails: z.number(), features: z.number() });
export type CacheSizes = z.infer<typeof cacheSizesSchema>;

export const cacheCommands = {
  /** Bytes on disk per cache. */
  'caches.sizes': command(empty, cacheSizesSchema),
  /** Empties one cache; refused while a job runs (it may be writing there). Returns the sizes after. */
  'caches.clear': command(z.object({ cache: cacheNameSchema }).strict(), cacheSizesSchema),
};
