/**
 * Data health: near-duplicate pictures in different splits (a validation or test image that is a
 * resized or re-encoded copy of a training image inflates every score), and class imbalance.
 */
import type { DataHealth } from '@shared/contract/evaluation';
import type { Catalogue } from '../catalogue';
import { HashesRepository } from '../catalogue/hashes-repository';
import { hammingDistance, perceptualHash } from '../images/phash';

/** Both hashes within this many of 64 bits: measured on resized / re-encoded copies vs distinct photos. */
export const NEAR_DUPLICATE_BITS = 10;
/** Largest over smallest training class above this gets a warning before training. */
export const IMBALANCE_RATIO = 3;

const SPLITS_THAT_LEAK = new Set(['train', 'validation', 'test']);

export async function dataHealth(catalogue: Catalogue, onProgress?: (done: number, total: number) => void): Promise<DataHealth> {
  const repo = catalogue.repo(HashesRepository);
  const rows = repo.images();
  const todo = rows.filter((r) => !r.phash && r.path);
  const hashed: { sha256: string; phash: string; dhash: string }[] = [];
  for (let b = 0; b < todo.length; b += 64) {
    const chunk = todo.slice(b, b + 64);
    const results = await Promise.all(
      chunk.map((r) =>
        perceptualHash(r.path as string).then(
          (h) => ({ sha256: r.sha256, ...h }),
          () => null,
        ),
      ),
    );
    hashed.push(...results.filter((r): r is NonNullable<typeof r> => r !== null));
    onProgress?.(Math.min(todo.length, b + 64), todo.length);
  }
  if (hashed.length) repo.putMany(hashed);
  const bySha = new Map(hashed.map((h) => [h.sha256, h]));
  const items = rows
    .map((r) => ({ ...r, phash: r.phash ?? bySha.get(r.sha256)?.phash ?? null, dhash: r.dhash ?? bySha.get(r.sha256)?.dhash ?? null }))
    .filter((r) => r.phash && r.dhash && SPLITS_THAT_LEAK.has(r.split));
  const leaks: DataHealth['leaks'] = [];
  for (let i = 0; i < items.length; i++) {
    const a = items[i] as (typeof items)[number];
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j] as (typeof items)[number];
      if (a.split === b.split) continue;
      const dp = hammingDistance(a.phash as string, b.phash as string);
      if (dp > NEAR_DUPLICATE_BITS) continue;
      const dd = hammingDistance(a.dhash as string, b.dhash as string);
      if (dd > NEAR_DUPLICATE_BITS) continue;
      leaks.push({ a: a.imageId, b: b.imageId, splitA: a.split, splitB: b.split, distance: Math.max(dp, dd) });
    }
  }
  repo.setLeaks(leaks.flatMap((l) => [l.a, l.b]));
  return { leaks, hashed: items.length, imbalance: imbalance(catalogue) };
}

export function imbalance(catalogue: Catalogue): DataHealth['imbalance'] {
  const train = catalogue
    .status()
    .classes.map((c) => ({ name: c.name, n: c.splits.train ?? 0 }))
    .filter((c) => c.n > 0);
  if (train.length < 2) return { ratio: null, warning: null };
  const sorted = [...train].sort((a, b) => b.n - a.n);
  const most = sorted[0] as { name: string; n: number };
  const least = sorted[sorted.length - 1] as { name: string; n: number };
  const ratio = most.n / least.n;
  return {
    ratio,
    warning:
      ratio > IMBALANCE_RATIO
        ? `classes are imbalanced: ${most.name} has ${most.n} training images, ${least.name} ${least.n} (${ratio.toFixed(1)}x). The model will favour ${most.name}; add ${least.name} images or expect its recall to suffer.`
        : null,
  };
}
