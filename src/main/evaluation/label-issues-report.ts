/**
 * The label-issues report from the training process's answer: confident learning over the
 * out-of-fold probabilities, outliers and conflicting near-duplicates from the feature neighbours;
 * and the open part of a stored report (what the user has not decided yet).
 */
import type { LabelIssuesReport } from '@shared/contract/curation';
import type { Split } from '@shared/contract/common';
import { confidentLearning } from './confident-learning';
import { conflictingDuplicateGroups, rankOutliers, type SimilarPair } from './neighbours';

export interface ReportImage {
  imageId: number;
  path: string;
  split: Split;
  className: string;
}

export interface LabelIssuesAnswer {
  outOfFold: readonly (readonly number[])[];
  /** Per image; null where the image was not scored. */
  meanDistance: readonly (number | null)[];
  pairs: readonly SimilarPair[];
  outlierNeighbours: number;
  duplicateSimilarity: number;
  folds: number;
  featuresComputed: number;
  featuresFromCache: number;
  seconds: number;
  neighbourSeconds: number;
}

export function buildLabelIssuesReport(
  images: readonly ReportImage[],
  classes: readonly string[],
  answer: LabelIssuesAnswer,
): LabelIssuesReport {
  const labels = images.map((image) => classes.indexOf(image.className));
  const cl = confidentLearning(answer.outOfFold, labels, classes.length);
  const at = (index: number): ReportImage => images[index] as ReportImage;
  const scored = answer.meanDistance.flatMap((d, index) => (d === null ? [] : [{ d, index }]));
  const outliers = rankOutliers(scored.map((s) => s.d)).map((o) => ({ ...o, index: (scored[o.index] as { index: number }).index }));
  return {
    issues: cl.issues.map((i) => ({
      id: at(i.index).imageId,
      path: at(i.index).path,
      split: at(i.index).split,
      given: classes[i.given] as string,
      suggested: classes[i.suggested] as string,
      score: i.score,
    })),
    outliers: outliers.map((o) => ({
      id: at(o.index).imageId,
      path: at(o.index).path,
      split: at(o.index).split,
      given: at(o.index).className,
      score: o.score,
    })),
    nearDuplicates: conflictingDuplicateGroups(answer.pairs, labels).map((g) => ({
      members: g.members.map((m) => ({ id: at(m).imageId, path: at(m).path, split: at(m).split, label: at(m).className })),
      similarity: g.similarity,
    })),
    outlierNeighbours: answer.outlierNeighbours,
    duplicateSimilarity: answer.duplicateSimilarity,
    folds: answer.folds,
    images: images.length,
    classes: [...classes],
    thresholds: cl.thresholds,
    joint: cl.joint,
    kept: 0,
    featuresComputed: answer.featuresComputed,
    featuresFromCache: answer.featuresFromCache,
    seconds: answer.seconds,
    neighbourSeconds: answer.neighbourSeconds,
    createdAt: new Date().toISOString(),
  };
}

/**
 * What is left to decide in a stored report: images whose label the user kept (per image and label)
 * or changed since drop out; a near-duplicate group shows its members' labels of now and stays while
 * they still differ and not every member's label is kept.
 */
export function openLabelIssues(
  report: LabelIssuesReport,
  kept: ReadonlySet<string>,
  current: (imageId: number) => string | null,
): LabelIssuesReport {
  const isKept = (id: number, label: string): boolean => kept.has(`${id}:${label}`);
  const open = report.issues.filter((i) => !isKept(i.id, i.given));
  const nearDuplicates = report.nearDuplicates.flatMap((group) => {
    const members = group.members.flatMap((m) => {
      const label = current(m.id);
      return label === null ? [] : [{ ...m, label }];
    });
    if (members.length < 2 || new Set(members.map((m) => m.label)).size < 2) return [];
    if (members.every((m) => isKept(m.id, m.label))) return [];
    return [{ ...group, members }];
  });
  return {
    ...report,
    issues: open.filter((i) => current(i.id) === i.given),
    outliers: report.outliers.filter((o) => !isKept(o.id, o.given) && current(o.id) === o.given),
    nearDuplicates,
    kept: report.issues.length - open.length,
  };
}
