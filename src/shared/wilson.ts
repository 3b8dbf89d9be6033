/**
 * The Wilson score interval for a proportion (accuracy = correct / n): unlike the normal
 * approximation it stays inside [0, 1] and behaves at 0 and n correct, which small validation
 * splits hit often. z = 1.959964 gives the 95% interval.
 */
export const Z95 = 1.959963984540054;

export function wilsonInterval(correct: number, n: number, z = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const p = Math.min(1, Math.max(0, correct / n));
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The interval of an accuracy measured on n images (correct = round(accuracy * n)). */
export function accuracyInterval(accuracy: number, n: number): [number, number] {
  return wilsonInterval(Math.round(accuracy * n), n);
}

/** "0.893 (0.82–0.94, n=100)": an accuracy as the studio shows it everywhere. */
export function formatAccuracy(accuracy: number, n: number | null | undefined): string {
  if (!n || n <= 0) return accuracy.toFixed(3);
  const [low, high] = accuracyInterval(accuracy, n);
  return `${accuracy.toFixed(3)} (${low.toFixed(2)}–${high.toFixed(2)}, n=${n})`;
}

/** "(81.4–93.7%, n=100)": the interval beside an accuracy the UI already shows as a percentage. */
export function intervalNote(accuracy: number, n: number | null | undefined): string {
  if (!n || n <= 0) return '';
  const [low, high] = accuracyInterval(accuracy, n);
  return `(${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%, n=${n})`;
}

/** Said wherever a validation accuracy is shown whose epoch was picked on that same split. */
export const CHOSEN_ON_VALIDATION_NOTE =
  'the epoch was chosen on this validation split, so this number is a little optimistic; k-fold’s mean ± sd is the better estimate';
