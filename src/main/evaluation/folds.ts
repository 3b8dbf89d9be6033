/**
 * Stratified k-fold assignment (as scikit-learn's StratifiedKFold with shuffle): every class is
 * shuffled with a seeded stream and dealt round-robin, so each fold holds about 1/k of each class.
 */
import { seededRandom } from '@shared/random';

export interface FoldItem {
  label: number;
  split: 'train' | 'validation' | 'test';
}

/**
 * Fold number (0..k-1) for every item, or -1 for items of the test split, which never take part.
 * Throws when a class has fewer non-test images than folds.
 */
export function stratifiedFolds(items: readonly FoldItem[], k: number, seed: number, classNames?: readonly string[]): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs k >= 2, got ${k}`);
  const fold = new Array<number>(items.length).fill(-1);
  const byClass = new Map<number, number[]>();
  items.forEach((item, i) => {
    if (item.split === 'test') return;
    const list = byClass.get(item.label) ?? [];
    list.push(i);
    byClass.set(item.label, list);
  });
  const random = seededRandom(seed);
  let offset = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label) as number[];
    if (members.length < k)
      throw new Error(
        `k-fold: class ${classNames?.[label] ?? label} has ${members.length} images outside the test split, fewer than k = ${k}`,
      );
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j] as number, members[i] as number];
    }
    // Continuing the deal where the last class stopped keeps fold sizes within one of each other.
    members.forEach((index, n) => (fold[index] = (n + offset) % k));
    offset = (offset + members.length) % k;
  }
  return fold;
}
