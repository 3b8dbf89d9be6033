import { createHash } from 'node:crypto';
import type { DatasetManifest, ManifestItem } from '../protocol/worker-protocol';

/** Teachable Machine's split: 15% of each class's samples measure accuracy, 85% train. */
export const DEFAULT_HOLDOUT_FRACTION = 0.15;

/** What a run held out of train because the catalogue has no validation images (stored in its config). */
export interface ValidationHoldout {
  fraction: number;
  seed: number;
  /** Images held out, in all and per class (manifest class order). */
  images: number;
  perClass: number[];
  /** One sentence for the CLI, the Train view and the run's settings. */
  message: string;
}

/**
 * Without validation images a run trains blind: no accuracy to report, early stopping without a
 * signal. Then each class gives `fraction` of its training images (rounded, at least one where the
 * class has two or more, never its last) to validation. Which ones depends only on the seed and the
 * image content, as the import's seeded split does, so a fine-tune given its parent's seed holds out
 * the very images the parent's head never saw. A catalogue with validation images is left as it is.
 */
export function holdOutValidation(
  manifest: DatasetManifest,
  fraction: number,
  seed: number,
): { manifest: DatasetManifest; holdout: ValidationHoldout | null } {
  if (fraction <= 0 || manifest.items.some((item) => item.split === 'validation')) return { manifest, holdout: null };
  const chosen = new Set<ManifestItem>();
  const perClass = manifest.classes.map((_, label) => {
    const train = manifest.items.filter((item) => item.label === label && item.split === 'train');
    const count = train.length < 2 ? 0 : Math.min(train.length - 1, Math.max(1, Math.round(train.length * fraction)));
    const ranked = train
      .map((item) => ({ item, rank: rankOf(item.sha256, seed) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { item } of ranked.slice(0, count)) chosen.add(item);
    return count;
  });
  if (chosen.size === 0) return { manifest, holdout: null };
  const percent = percentOf(fraction);
  return {
    manifest: {
      classes: manifest.classes,
      items: manifest.items.map((item) => (chosen.has(item) ? { ...item, split: 'validation' } : item)),
    },
    holdout: {
      fraction,
      seed,
      images: chosen.size,
      perClass,
      message: `no validation images in the catalogue: holding out ${percent} of train (${chosen.size} images, stratified by class, seed ${seed}) to measure accuracy`,
    },
  };
}

/** The Train view's and advice's note before a run: what any run on this catalogue will hold out. */
export function plannedHoldoutNote(manifest: DatasetManifest, fraction = DEFAULT_HOLDOUT_FRACTION): string | null {
  const { holdout } = holdOutValidation(manifest, fraction, 0);
  return holdout
    ? `no validation images in the catalogue: each run holds out ${percentOf(fraction)} of train (${holdout.images} images, stratified by class) to measure accuracy`
    : null;
}

const percentOf = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`;

function rankOf(sha256: string, seed: number): string {
  return createHash('sha256').update(`holdout:${seed}:${sha256}`).digest('hex');
}

/** The holdout a parent run recorded, so its fine-tune validates on the same images. */
export function recordedHoldout(config: Record<string, unknown>): { fraction: number; seed: number } | null {
  const h = config.validationHoldout as { fraction?: unknown; seed?: unknown } | null | undefined;
  return h && typeof h.fraction === 'number' && typeof h.seed === 'number' ? { fraction: h.fraction, seed: h.seed } : null;
}
