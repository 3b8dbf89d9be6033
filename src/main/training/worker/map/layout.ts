/**
 * The dataset map's 2-D layout: PCA to a few dozen dimensions (UMAP's neighbour search is the slow
 * part and scales with the dimension), then UMAP with the seeded generator so one seed always draws
 * the same map. Coordinates come back centred and scaled into [-1, 1], the scatter view's space.
 */
import { UMAP } from 'umap-js';
import { seededRandom } from '@shared/random';
import { projectTopComponents } from './pca';

export interface LayoutOptions {
  seed: number;
  /** PCA dimensions kept before UMAP. */
  dims?: number;
  nNeighbors?: number;
  minDist?: number;
  /** UMAP optimisation epochs; absent = umap-js's default up to 1000 images, 200 above (as umap-learn does for big sets). */
  nEpochs?: number;
  progress?(done: number, total: number, message: string): void;
  /** Called between optimisation steps; throws to stop. */
  checkpoint?(): Promise<void>;
}

export interface Layout {
  /** x0, y0, x1, y1, … in [-1, 1]. */
  xy: Float32Array;
  pcaSeconds: number;
  umapSeconds: number;
}

export async function layoutFeatures(features: Float32Array, n: number, d: number, options: LayoutOptions): Promise<Layout> {
  const started = performance.now();
  if (n === 0) return { xy: new Float32Array(0), pcaSeconds: 0, umapSeconds: 0 };
  const random = seededRandom(options.seed);
  const dims = Math.min(options.dims ?? 50, d);
  // One power iteration: the neighbour graph needs the leading subspace roughly, not exactly.
  const reduced = projectTopComponents(features, n, d, dims, random, 1);
  const pcaSeconds = (performance.now() - started) / 1000;
  const umapStarted = performance.now();
  let xy: Float32Array;
  if (n < 4) {
    // Too few images for a neighbour graph: the first two principal directions say all there is.
    xy = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      xy[i * 2] = reduced[i * dims] ?? 0;
      xy[i * 2 + 1] = dims > 1 ? (reduced[i * dims + 1] ?? 0) : 0;
    }
  } else {
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) rows.push(Array.from(reduced.subarray(i * dims, (i + 1) * dims)));
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: Math.min(options.nNeighbors ?? 15, n - 1),
      minDist: options.minDist ?? 0.1,
      nEpochs: options.nEpochs ?? (n > 1000 ? 200 : undefined),
      random,
    });
    options.progress?.(0, 1, `neighbours of ${n} images`);
    const epochs = umap.initializeFit(rows);
    for (let epoch = 0; epoch < epochs; epoch++) {
      umap.step();
      if (epoch % 10 === 0) {
        options.progress?.(epoch, epochs, `layout ${epoch}/${epochs}`);
        await options.checkpoint?.();
      }
    }
    xy = Float32Array.from(umap.getEmbedding().flatMap((p) => [p[0] ?? 0, p[1] ?? 0]));
  }
  return { xy: normalise(xy), pcaSeconds, umapSeconds: (performance.now() - umapStarted) / 1000 };
}

/** Centres the points and scales the larger extent to [-1, 1], keeping the aspect ratio. */
export function normalise(xy: Float32Array): Float32Array {
  const n = xy.length / 2;
  if (!n) return xy;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[i * 2]!,
      y = xy[i * 2 + 1]!;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const cx = (minX + maxX) / 2,
    cy = (minY + maxY) / 2;
  const half = Math.max(maxX - minX, maxY - minY) / 2;
  const scale = half > 0 && Number.isFinite(half) ? 0.95 / half : 1;
  const out = new Float32Array(xy.length);
  for (let i = 0; i < n; i++) {
    out[i * 2] = (xy[i * 2]! - cx) * scale;
    out[i * 2 + 1] = (xy[i * 2 + 1]! - cy) * scale;
  }
  return out;
}
