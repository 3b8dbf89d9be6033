/**
 * Classification metrics from predicted probabilities. Pure (no tfjs, no I/O) so they can be checked
 * against hand-computed numbers and used by evaluation, k-fold and the Runs view alike.
 */

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface RocCurve {
  /** Points from (0,0) to (1,1), one per distinct threshold on the positive class's probability. */
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  /** Which class counts as positive (the second one, as scikit-learn's pos_label for labels 0/1). */
  positive: string;
}

export interface EvaluationMetrics {
  count: number;
  accuracy: number;
  /** Mean categorical cross-entropy, probabilities clipped at 1e-7 as Keras does. */
  loss: number;
  classes: string[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  roc: RocCurve | null;
  auc: number | null;
}

export const LOSS_EPSILON = 1e-7;

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** Cross-entropy of one prediction against its true class. */
export function sampleLoss(probabilities: ArrayLike<number>, label: number): number {
  const p = Math.min(1 - LOSS_EPSILON, Math.max(LOSS_EPSILON, probabilities[label] ?? 0));
  return -Math.log(p);
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function confusionMatrix(labels: readonly number[], predicted: readonly number[], numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((t, i) => {
    const row = m[t];
    const p = predicted[i] as number;
    if (!row || p < 0 || p >= numClasses) throw new Error(`confusionMatrix: class index out of range at ${i}`);
    row[p] = (row[p] as number) + 1;
  });
  return m;
}

export function perClassMetrics(confusion: number[][], classes: readonly string[]): ClassMetrics[] {
  return classes.map((name, c) => {
    const tp = confusion[c]?.[c] ?? 0;
    const support = (confusion[c] ?? []).reduce((s, v) => s + v, 0);
    const predictedAs = confusion.reduce((s, row) => s + (row[c] ?? 0), 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    return { class: name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

/**
 * ROC of a binary problem: `scores` are the positive class's probabilities. Ties share one point
 * (as scikit-learn's roc_curve with drop_intermediate=False); AUC by the trapezoid rule.
 */
export function rocCurve(
  scores: readonly number[],
  positives: readonly boolean[],
  positive = 'positive',
): { roc: RocCurve; auc: number } | null {
  const P = positives.filter(Boolean).length;
  const N = positives.length - P;
  if (P === 0 || N === 0) return null;
  const order = scores.map((s, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const fpr = [0];
  const tpr = [0];
  // Above every score (scikit-learn before 1.3): the point where nothing is called positive; JSON-safe, unlike Infinity.
  const thresholds = [Math.max(...scores) + 1];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (positives[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    fpr.push(fp / N);
    tpr.push(tp / P);
    thresholds.push(scores[i] as number);
  }
  let auc = 0;
  for (let k = 1; k < fpr.length; k++)
    auc += ((fpr[k] as number) - (fpr[k - 1] as number)) * (((tpr[k] as number) + (tpr[k - 1] as number)) / 2);
  return { roc: { fpr, tpr, thresholds, positive }, auc };
}

/** Every metric the Runs view and `lds eval` show, from one probability row per image. */
export function evaluatePredictions(
  probabilities: readonly ArrayLike<number>[],
  labels: readonly number[],
  classes: readonly string[],
): EvaluationMetrics {
  if (probabilities.length !== labels.length)
    throw new Error(`evaluatePredictions: ${probabilities.length} predictions for ${labels.length} labels`);
  probabilities.forEach((row, i) => {
    if (row.length !== classes.length)
      throw new Error(`evaluatePredictions: prediction ${i} has ${row.length} probabilities for ${classes.length} classes`);
  });
  const predicted = probabilities.map(argmax);
  const confusion = confusionMatrix(labels, predicted, classes.length);
  const perClass = perClassMetrics(confusion, classes);
  const count = labels.length;
  const correct = predicted.filter((p, i) => p === labels[i]).length;
  const loss = count ? probabilities.reduce((s, row, i) => s + sampleLoss(row, labels[i] as number), 0) / count : 0;
  const mean = (key: 'precision' | 'recall' | 'f1'): number =>
    perClass.length ? perClass.reduce((s, m) => s + m[key], 0) / perClass.length : 0;
  const binary =
    classes.length === 2
      ? rocCurve(
          probabilities.map((row) => row[1] as number),
          labels.map((l) => l === 1),
          classes[1],
        )
      : null;
  return {
    count,
    accuracy: ratio(correct, count),
    loss,
    classes: [...classes],
    confusion,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    roc: binary?.roc ?? null,
    auc: binary?.auc ?? null,
  };
}

export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  if (!values.length) return { mean: 0, std: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  // Sample standard deviation: k folds are a sample of the splits one could have drawn.
  const std = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}
