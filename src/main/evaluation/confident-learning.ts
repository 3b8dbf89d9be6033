/**
 * Confident learning (Northcutt, Jiang & Chuang, JAIR 2021), as cleanlab's filter module does it:
 * from out-of-sample probabilities, a per-class threshold t_j = mean p_j over the images labelled j;
 * an image labelled i counts in the confident joint at [i][j], where j is the most likely class among
 * those with p_j >= t_j. The off-diagonal entries are the label-issue candidates.
 *
 * Ranking: by self-confidence (p of the given label), cleanlab's default for find_label_issues; the
 * score reported is 1 - self-confidence (higher = more likely wrong), ties broken by the normalised
 * margin. Images that reach no class's threshold are left out of the joint (as cleanlab does); which
 * images fit no class at all is judged in feature space instead (neighbours.ts).
 */

export interface LabelIssueCandidate {
  /** Index into the probabilities given. */
  index: number;
  given: number;
  suggested: number;
  /** 1 - p(given label): higher = more likely mislabelled. */
  score: number;
  /** cleanlab's normalised margin (p_given - max other p + 1) / 2: lower = more likely mislabelled. */
  margin: number;
}

export interface ConfidentLearningResult {
  thresholds: number[];
  /** joint[i][j]: images labelled i confidently counted as j. */
  joint: number[][];
  /** The confident class of every image, or -1 where no class reaches its threshold. */
  confidentClass: number[];
  issues: LabelIssueCandidate[];
}

// cleanlab subtracts a small epsilon so that an image exactly at the mean still counts.
const EPSILON = 1e-6;

function check(probs: readonly (readonly number[])[], labels: readonly number[], classes: number): void {
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`confident learning needs at least 2 classes, got ${classes}`);
  if (probs.length !== labels.length) throw new Error(`${probs.length} probability rows for ${labels.length} labels`);
  probs.forEach((row, n) => {
    if (row.length !== classes) throw new Error(`row ${n} has ${row.length} probabilities for ${classes} classes`);
    const label = labels[n] as number;
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new Error(`row ${n} has label ${label}, outside 0..${classes - 1}`);
  });
}

/** t_j = mean p_j over images labelled j; a class with no images gets threshold 1 (nothing clears it by chance). */
export function perClassThresholds(probs: readonly (readonly number[])[], labels: readonly number[], classes: number): number[] {
  check(probs, labels, classes);
  const sums = new Array<number>(classes).fill(0);
  const counts = new Array<number>(classes).fill(0);
  probs.forEach((row, n) => {
    const label = labels[n] as number;
    sums[label] = (sums[label] as number) + (row[label] as number);
    counts[label] = (counts[label] as number) + 1;
  });
  return sums.map((s, j) => ((counts[j] as number) > 0 ? s / (counts[j] as number) : 1));
}

/** The most likely class among those at or above their threshold, or -1 when none is. */
export function confidentClass(row: readonly number[], thresholds: readonly number[]): number {
  let best = -1;
  row.forEach((p, j) => {
    if (p >= (thresholds[j] as number) - EPSILON && (best < 0 || p > (row[best] as number))) best = j;
  });
  return best;
}

export function normalisedMargin(row: readonly number[], given: number): number {
  let other = 0;
  row.forEach((p, j) => {
    if (j !== given && p > other) other = p;
  });
  return ((row[given] as number) - other + 1) / 2;
}

export function confidentLearning(
  probs: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
): ConfidentLearningResult {
  const thresholds = perClassThresholds(probs, labels, classes);
  const joint = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const assigned: number[] = [];
  const issues: LabelIssueCandidate[] = [];
  probs.forEach((row, index) => {
    const given = labels[index] as number;
    const j = confidentClass(row, thresholds);
    assigned.push(j);
    if (j < 0) return;
    (joint[given] as number[])[j] = ((joint[given] as number[])[j] as number) + 1;
    if (j !== given) issues.push({ index, given, suggested: j, score: 1 - (row[given] as number), margin: normalisedMargin(row, given) });
  });
  issues.sort((a, b) => b.score - a.score || a.margin - b.margin || a.index - b.index);
  return { thresholds, joint, confidentClass: assigned, issues };
}
