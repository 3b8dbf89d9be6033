/**
 * Curation in feature space, beyond confident learning: images far from every other image (outliers,
 * scored as cleanlab's OutOfDistribution scores features: the mean cosine distance to the k nearest
 * neighbours) and groups of near-identical images that carry different labels. Pure arithmetic over
 * blocks of cosine similarities; the training process computes the blocks with a matrix product.
 */

/** [a, b, cosine similarity] with a < b. */
export type SimilarPair = [number, number, number];

export interface NeighbourScan {
  /** Per row: mean cosine distance (1 - similarity) to its k nearest other rows. */
  meanDistance: number[];
  /** Every pair at or above the similarity asked for, each once. */
  pairs: SimilarPair[];
  /** The k used: the one asked for, or n - 1 when fewer images are given. */
  k: number;
}

/** Neighbours averaged per image, as cleanlab's OutOfDistribution does by default. */
export const OUTLIER_NEIGHBOURS = 10;
/**
 * Cosine similarity of pooled backbone features at or above which two images count as near-duplicates.
 * Measured on cats_and_dogs_filtered with the bundled MobileNetV2 0.35: 100 resized (50-70%),
 * re-encoded (quality 70-85) and cropped (3-8% a side) copies scored 0.853-0.964 against their
 * originals; of the 4.5 million pairs of distinct pictures only 3 reach 0.85 (all within one class,
 * none across classes), plus one true duplicate in the set at 0.988.
 */
export const DUPLICATE_SIMILARITY = 0.85;

/** L2-normalised copy of n rows of d features; an all-zero row stays zero. */
export function unitRows(features: Float32Array, n: number, d: number): Float32Array {
  if (features.length !== n * d) throw new Error(`${features.length} feature values for ${n} rows of ${d}`);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d; t < (i + 1) * d; t++) s += (features[t] as number) ** 2;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let t = i * d; t < (i + 1) * d; t++) out[t] = (features[t] as number) / norm;
  }
  return out;
}

/** Cosine similarities of rows [start, end) against all n unit rows, row-major: the plain-JS form of the block product. */
export function similarityBlock(unit: Float32Array, n: number, d: number, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * n);
  for (let i = start; i < end; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (unit[i * d + t] as number) * (unit[j * d + t] as number);
      out[(i - start) * n + j] = s;
    }
  return out;
}

/** Collects, block by block of similarity rows, each row's k nearest and the pairs above a threshold. */
export class NeighbourCollector {
  readonly k: number;
  readonly #meanDistance: number[];
  readonly #pairs: SimilarPair[] = [];

  constructor(
    readonly n: number,
    k: number,
    readonly minSimilarity: number,
  ) {
    this.k = Math.max(0, Math.min(k, n - 1));
    this.#meanDistance = new Array<number>(n).fill(0);
  }

  /** sims: rows [start, start + rows) of the n x n similarity matrix, row-major. */
  addBlock(start: number, sims: Float32Array): void {
    const { n, k } = this;
    const rows = sims.length / n;
    if (!Number.isInteger(rows) || start + rows > n) throw new Error(`a block of ${sims.length} similarities does not fit rows of ${n}`);
    // The k largest similarities so far, in descending order.
    const top = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      let filled = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        // Rounding can lift a copy's similarity a hair above 1; distance never goes below 0.
        const s = Math.min(1, sims[r * n + j] as number);
        if (j > i && s >= this.minSimilarity) this.#pairs.push([i, j, s]);
        if (k === 0 || (filled === k && s <= (top[k - 1] as number))) continue;
        let at = filled < k ? filled++ : k - 1;
        while (at > 0 && (top[at - 1] as number) < s) {
          top[at] = top[at - 1] as number;
          at--;
        }
        top[at] = s;
      }
      let sum = 0;
      for (let q = 0; q < k; q++) sum += 1 - (top[q] as number);
      this.#meanDistance[i] = k ? sum / k : 0;
    }
  }

  result(): NeighbourScan {
    return { meanDistance: [...this.#meanDistance], pairs: [...this.#pairs], k: this.k };
  }
}

/** Quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

/**
 * cleanlab's transform of mean neighbour distances into 0..1 (exp(-d / median d)), turned round so that,
 * like the label-issue score, higher means more likely a problem: 1 - exp(-d / median d). An image at
 * the median distance scores 0.63; one twice as far as the median 0.86.
 */
export function outlierScores(meanDistance: readonly number[]): number[] {
  const median = quantile(
    [...meanDistance].sort((a, b) => a - b),
    0.5,
  );
  const scale = Math.max(Number.isFinite(median) ? median : 0, 100 * Number.EPSILON);
  return meanDistance.map((d) => 1 - Math.exp(-d / scale));
}

/** cleanlab Datalab's default for features: threshold 0.37037, an IQR scale of 1 / 0.37037 - 1 = 1.7. */
export const FENCE_IQR_SCALE = 1.7;
/** The share of the most outlying images listed even when none passes the fence. */
export const OUTLIER_SHARE = 0.01;

/** The upper fence Q3 + 1.7 IQR over mean neighbour distances, above which cleanlab's Datalab flags an outlier. */
export function outlierFence(meanDistance: readonly number[]): number {
  const sorted = [...meanDistance].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return q3 + FENCE_IQR_SCALE * (q3 - q1);
}

export interface OutlierRank {
  index: number;
  score: number;
}

/**
 * The most outlying images, most outlying first (ties by index): every image beyond cleanlab's fence,
 * and never fewer than the top 1% (at least one). On a few dozen images the quartiles spread so wide
 * that a drawing among photos stays inside the fence while it still ranks first, so the top of the
 * ranking is always shown; on thousands the fence decides when many images are odd. Fewer than 3
 * images have no outliers.
 */
export function rankOutliers(meanDistance: readonly number[]): OutlierRank[] {
  const n = meanDistance.length;
  if (n < 3) return [];
  const scores = outlierScores(meanDistance);
  const fence = outlierFence(meanDistance);
  const ranked = meanDistance
    .map((d, index) => ({ index, d, score: scores[index] as number }))
    .sort((a, b) => b.d - a.d || a.index - b.index);
  const beyond = ranked.filter((r) => r.d > fence).length;
  return ranked.slice(0, Math.max(beyond, Math.ceil(n * OUTLIER_SHARE))).map(({ index, score }) => ({ index, score }));
}

export interface DuplicateGroup {
  /** Row indices, ascending. */
  members: number[];
  /** The weakest link that joined the group: its lowest pair similarity. */
  similarity: number;
}

/**
 * Groups of near-duplicates (connected by pairs at or above the threshold) whose members carry more
 * than one label; closest groups first. labels[i] is row i's class; a negative label takes no part.
 */
export function conflictingDuplicateGroups(pairs: readonly SimilarPair[], labels: readonly number[]): DuplicateGroup[] {
  const parent = labels.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const weakest = new Map<number, number>();
  for (const [a, b, s] of pairs) {
    if ((labels[a] ?? -1) < 0 || (labels[b] ?? -1) < 0) continue;
    const ra = root(a);
    const rb = root(b);
    const low = Math.min(s, weakest.get(ra) ?? Infinity, weakest.get(rb) ?? Infinity);
    if (ra !== rb) parent[rb] = ra;
    weakest.delete(rb);
    weakest.set(ra, low);
  }
  const groups = new Map<number, number[]>();
  for (const r of weakest.keys()) groups.set(r, []);
  labels.forEach((_, i) => groups.get(root(i))?.push(i));
  return [...groups.entries()]
    .filter(([, members]) => new Set(members.map((m) => labels[m])).size > 1)
    .map(([r, members]) => ({ members, similarity: weakest.get(r) as number }))
    .sort((a, b) => b.similarity - a.similarity || (a.members[0] as number) - (b.members[0] as number));
}
