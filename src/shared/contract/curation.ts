import { z } from 'zod';
import { command } from './define';
import { empty, idSchema, jobStartedSchema, splitSchema } from './common';

/**
 * Epochs of each fold's head when finding label issues: a quarter of a bottleneck run's. A head trained
 * longer starts to fit the wrong labels of its own folds, and its out-of-fold probabilities rank the
 * flipped images less well (5% of cats_and_dogs_filtered's training labels flipped, three seeds: 83, 80
 * and 81 of the top 100 at 10 epochs, 79, 79 and 83 at 40), at a fifth of the time.
 */
export const LABEL_ISSUE_EPOCHS = 10;

export const labelIssuesRequestSchema = z
  .object({
    folds: z.number().int().min(2).max(20).default(5),
    backbone: z.string().min(1).max(200).optional(),
    /** Epochs of each fold's head; default LABEL_ISSUE_EPOCHS. */
    epochs: z.number().int().min(1).max(1000).optional(),
    seed: z.number().int().optional(),
  })
  .strict();
export type LabelIssuesRequest = z.input<typeof labelIssuesRequestSchema>;

/** An image whose label is likely wrong: out-of-fold, the model confidently sees another class. */
export const labelIssueSchema = z.object({
  id: idSchema,
  path: z.string(),
  split: splitSchema,
  given: z.string(),
  suggested: z.string(),
  /** 1 - out-of-fold probability of the given label: higher = more likely wrong. */
  score: z.number(),
});
export type LabelIssue = z.infer<typeof labelIssueSchema>;

/**
 * An image that fits no class well: far, in backbone features, from even its nearest neighbours.
 * score = 1 - exp(-d / median d) over the mean cosine distance d to the k nearest images (0..1, higher
 * = more outlying). Listed: every image with d above Q3 + 1.7 IQR (cleanlab's fence), at least the top 1%.
 */
export const outlierSchema = z.object({ id: idSchema, path: z.string(), split: splitSchema, given: z.string(), score: z.number() });
export type Outlier = z.infer<typeof outlierSchema>;

export const nearDuplicateMemberSchema = z.object({ id: idSchema, path: z.string(), split: splitSchema, label: z.string() });
export type NearDuplicateMember = z.infer<typeof nearDuplicateMemberSchema>;

/** Distinct images whose features are near-identical (resized, re-encoded, cropped copies) yet carry different labels. */
export const nearDuplicateGroupSchema = z.object({
  members: z.array(nearDuplicateMemberSchema).min(2),
  /** The lowest cosine similarity among the pairs that joined the group. */
  similarity: z.number(),
});
export type NearDuplicateGroup = z.infer<typeof nearDuplicateGroupSchema>;

export const labelIssuesReportSchema = z.object({
  /** Most likely mislabelled first; images the user kept or relabelled since are left out. */
  issues: z.array(labelIssueSchema),
  /** Most outlying first. */
  outliers: z.array(outlierSchema),
  /** Closest groups first; a group is listed while its members' current labels differ. Absent from reports before it existed. */
  nearDuplicates: z.array(nearDuplicateGroupSchema).default([]),
  /** Neighbours averaged for the outlier score. */
  outlierNeighbours: z.number().int().default(0),
  /** Cosine similarity from which two images count as near-duplicates. */
  duplicateSimilarity: z.number().default(1),
  folds: z.number().int(),
  /** Labelled images scored (every split: each is scored by a head that never saw it). */
  images: z.number().int(),
  classes: z.array(z.string()),
  /** Per-class confidence threshold t_j = mean out-of-fold p_j over the images labelled j. */
  thresholds: z.array(z.number()),
  /** The confident joint: [given][confident class] counts. */
  joint: z.array(z.array(z.number().int())),
  /** Issues left out because the user kept the label. */
  kept: z.number().int(),
  featuresComputed: z.number().int(),
  featuresFromCache: z.number().int(),
  seconds: z.number(),
  /** Of those seconds, the feature-space neighbour search (outliers and near-duplicates). */
  neighbourSeconds: z.number().default(0),
  createdAt: z.string(),
});
export type LabelIssuesReport = z.infer<typeof labelIssuesReportSchema>;

export const curationCommands = {
  /** Find likely wrong labels over every labelled image (confident learning on k-fold heads): a job; its result is the report. */
  'labelIssues.find': command(labelIssuesRequestSchema, jobStartedSchema),
  /** The last report, less the images kept or relabelled since; null before the first search. */
  'labelIssues.get': command(empty, labelIssuesReportSchema.nullable()),
  /** Keep an image's label (keep: true) so it is not suggested again, or undo that (keep: false). */
  'labelIssues.keep': command(
    z.object({ imageId: idSchema, keep: z.boolean().default(true) }).strict(),
    z.object({ kept: z.number().int() }),
  ),
};
