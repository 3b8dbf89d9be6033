/**
 * The dataset map's work in the training process: every image's pooled backbone features, from the
 * cache training and k-fold fill (and filling it), then the seeded 2-D layout.
 */
import type { BackboneSpec } from '../../backbones/backbone-spec';
import { loadBackbone } from '../../backbones/backbones';
import type { Forward } from '../../forward';
import { FeatureCache } from '../../protocol/feature-cache';
import type { MapResult } from '../../protocol/worker-protocol';
import { extractFeatures } from '../modes/bottleneck';
import { layoutFeatures } from './layout';

export interface MapJobOptions {
  items: readonly { path: string; sha256: string }[];
  backbone: BackboneSpec;
  featuresDir: string;
  seed: number;
  progress(done: number, total: number, message: string): void;
  checkpoint(): Promise<void>;
  forward?: Forward;
}

export async function dataset2dMap(options: MapJobOptions): Promise<MapResult> {
  const started = performance.now();
  const backbone = await loadBackbone(options.backbone);
  let extraction;
  try {
    extraction = await extractFeatures(
      { progress: (_phase, done, total, message) => options.progress(done, total, message), checkpoint: options.checkpoint },
      backbone,
      new FeatureCache(options.featuresDir),
      // Extraction reads only the path and the hash; label and split do not enter the features.
      options.items.map(({ path, sha256 }) => ({ item: { path, sha256, label: 0, split: 'train' as const }, variant: null })),
      { params: null, seed: options.seed },
      null,
      options.forward ?? null,
    );
  } finally {
    backbone.dispose();
  }
  const n = options.items.length;
  const dim = n ? extraction.features.length / n : 0;
  const layout = await layoutFeatures(extraction.features, n, dim, {
    seed: options.seed,
    progress: options.progress,
    checkpoint: options.checkpoint,
  });
  return {
    xy: Array.from(layout.xy),
    featuresComputed: extraction.computed,
    featuresFromCache: extraction.fromCache,
    featureSeconds: extraction.seconds,
    layoutSeconds: layout.pcaSeconds + layout.umapSeconds,
    seconds: (performance.now() - started) / 1000,
  };
}
