import { z } from 'zod';
import { command } from './define';
import { empty, idSchema, jobStartedSchema, splitSchema } from './common';

export const EVAL_SPLITS = ['validation', 'test'] as const;
export const evalSplitSchema = z.enum(EVAL_SPLITS);

/** Said every time the test split is evaluated: each look leaks it into the user's choices. */
export const TEST_SPLIT_WARNING =
  'evaluating on the test split: every look at it spoils it a little (choices made after seeing it fit it). Use validation while iterating; look at test once, at the end.';

export const classMetricsSchema = z.object({
  class: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});

export const rocSchema = z.object({
  fpr: z.array(z.number()),
  tpr: z.array(z.number()),
  thresholds: z.array(z.number()),
  positive: z.string(),
});

export const evalItemSchema = z.object({
  imageId: idSchema,
  /** Index into classes. */
  trueIndex: z.number().int(),
  predictedIndex: z.number().int(),
  probabilities: z.array(z.number()),
  confidence: z.number(),
  loss: z.number(),
});
export type EvalItem = z.infer<typeof evalItemSchema>;

export const evalReportSchema = z.object({
  runId: z.string(),
  split: evalSplitSchema,
  warning: z.string().nullable(),
  count: z.number().int(),
  /** Labelled images of the split the model cannot score (a class it was not trained on, unreadable). */
  skipped: z.number().int(),
  accuracy: z.number(),
  loss: z.number(),
  classes: z.array(z.string()),
  confusion: z.array(z.array(z.number().int())),
  perClass: z.array(classMetricsSchema),
  macro: z.object({ precision: z.number(), recall: z.number(), f1: z.number() }),
  roc: rocSchema.nullable(),
  auc: z.number().nullable(),
  /** Every scored image, highest loss first (the mistakes gallery reads the top). */
  items: z.array(evalItemSchema),
  createdAt: z.string(),
});
export type EvalReport = z.infer<typeof evalReportSchema>;

export const evalViewSchema = evalReportSchema.extend({
  /** Images of the report whose label changed since it was made: retrain to see the effect. */
  relabelled: z.number().int(),
});
export type EvalView = z.infer<typeof evalViewSchema>;

export const reviewItemSchema = z.object({ imageId: idSchema, classId: idSchema, confidence: z.number().nullable(), split: splitSchema });
export type ReviewItem = z.infer<typeof reviewItemSchema>;

export const kfoldRequestSchema = z
  .object({
    mode: z.literal('bottleneck').default('bottleneck'),
    k: z.number().int().min(2).max(20).default(5),
    backbone: z.string().min(1).max(200).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    seed: z.number().int().optional(),
  })
  .strict();
export type KfoldRequest = z.input<typeof kfoldRequestSchema>;

const meanStd = z.object({ mean: z.number(), std: z.number() });
export const kfoldReportSchema = z.object({
  mode: z.string(),
  k: z.number().int(),
  classes: z.array(z.string()),
  images: z.number().int(),
  folds: z.array(
    z.object({
      fold: z.number().int(),
      trainCount: z.number().int(),
      testCount: z.number().int(),
      accuracy: z.number(),
      loss: z.number(),
      macroF1: z.number(),
    }),
  ),
  accuracy: meanStd,
  loss: meanStd,
  macroF1: meanStd,
  featuresComputed: z.number().int(),
  featuresFromCache: z.number().int(),
  seconds: z.number(),
});
export type KfoldReport = z.infer<typeof kfoldReportSchema>;

export const leakPairSchema = z.object({ a: idSchema, b: idSchema, splitA: splitSchema, splitB: splitSchema, distance: z.number().int() });
export const dataHealthSchema = z.object({
  /** Near-duplicate images in different splits (perceptual hash within the threshold). */
  leaks: z.array(leakPairSchema),
  hashed: z.number().int(),
  /** Largest / smallest class size in train; a warning when above 3. */
  imbalance: z.object({ ratio: z.number().nullable(), warning: z.string().nullable() }),
});
export type DataHealth = z.infer<typeof dataHealthSchema>;

export const filePredictionSchema = z.object({
  path: z.string(),
  class: z.string(),
  confidence: z.number(),
  probabilities: z.record(z.string(), z.number()),
});
/** The result of a predict.files job. */
export const predictFilesResultSchema = z.object({
  predictions: z.array(filePredictionSchema),
  /** Files in the folders that could not be predicted (not an image, unreadable), with why. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type PredictFilesResult = z.infer<typeof predictFilesResultSchema>;

const pathSchema = z.string().min(1).max(4096);
export const predictFilesInputSchema = z
  .object({
    runId: z.string().min(1).max(64).optional(),
    /** A run's or an `lds export` model folder (absolute); no project needed. */
    modelDir: pathSchema.optional(),
    /** Absolute image files and folders; folders are walked as import walks them. */
    paths: z.array(pathSchema).min(1).max(100_000),
  })
  .strict()
  .refine((v) => (v.runId === undefined) !== (v.modelDir === undefined), { message: 'give exactly one of runId and modelDir' });

/** What `export.model` writes: see the command. */
export const EXPORT_FORMATS = ['tfjs', 'tm', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Bytes of one picture "Try it" may send (browser mode cannot give paths: the picture itself travels). */
export const PREDICT_BYTES_FILE_LIMIT = 8 * 1024 * 1024;
/** Bytes of all pictures in one predict.bytes call (base64 grows them by a third; the socket takes 16 MiB). */
export const PREDICT_BYTES_CALL_LIMIT = 9 * 1024 * 1024;
export const PREDICT_BYTES_MAX_FILES = 64;
const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** A picture sent as its bytes (Try it, browser mode: no paths), for predict.bytes and explain.image. */
export const uploadedPictureSchema = z
  .object({
    /** The file's name as the user sees it (shown back with its answer). */
    name: z.string().min(1).max(255),
    /** The file's bytes, base64. */
    data: z
      .string()
      .min(1)
      .max(base64Length(PREDICT_BYTES_FILE_LIMIT), {
        message: `a picture may be at most ${PREDICT_BYTES_FILE_LIMIT / 1024 / 1024} MiB`,
      })
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'data must be base64' }),
  })
  .strict();

export const predictBytesInputSchema = z
  .object({
    runId: z.string().min(1).max(64),
    files: z.array(uploadedPictureSchema).min(1).max(PREDICT_BYTES_MAX_FILES),
  })
  .strict()
  .refine((v) => v.files.reduce((sum, f) => sum + f.data.length, 0) <= base64Length(PREDICT_BYTES_CALL_LIMIT), {
    message: `send at most ${PREDICT_BYTES_CALL_LIMIT / 1024 / 1024} MiB of pictures per call`,
  });

export const evaluationCommands = {
  /** Evaluate a finished run on validation (default) or, explicitly, test: a job; its result is the report. */
  'eval.start': command(
    z.object({ runId: z.string().min(1).max(64), split: evalSplitSchema.default('validation') }).strict(),
    jobStartedSchema,
  ),
  /** The last evaluation of a run on a split, or null. */
  'eval.get': command(
    z.object({ runId: z.string().min(1).max(64), split: evalSplitSchema.default('validation') }).strict(),
    evalViewSchema.nullable(),
  ),
  /** Predict every unlabelled image with a run and store the result as 'predicted' labels with confidence. */
  'predict.prelabel': command(z.object({ runId: z.string().min(1).max(64) }).strict(), jobStartedSchema),
  /** Predict image files (in the project or not) with a run or a model folder: a job; its result is PredictFilesResult. */
  'predict.files': command(predictFilesInputSchema, jobStartedSchema),
  /** Predict pictures sent as bytes (Try it; browser mode has no paths): a job; its result is PredictFilesResult with path = the name given. */
  'predict.bytes': command(predictBytesInputSchema, jobStartedSchema),
  /** Predicted labels waiting for review, lowest confidence first. */
  'review.queue': command(z.object({ limit: z.number().int().min(1).max(10000).default(500) }).strict(), z.array(reviewItemSchema)),
  /**
   * A run's model for other tools: 'tfjs' a TF.js layers model folder laid out like a Teachable Machine
   * export (the app's scaling), 'tm' the same for Teachable Machine's own loader, 'onnx' one model.onnx
   * with labels and preprocessing in its metadata_props.
   */
  'export.model': command(
    z
      .object({
        runId: z.string().min(1).max(64),
        outDir: z.string().min(1).max(4096).optional(),
        format: z.enum(EXPORT_FORMATS).default('tfjs'),
      })
      .strict(),
    z.object({ dir: z.string(), files: z.array(z.string()), format: z.enum(EXPORT_FORMATS) }),
  ),
  /** The dataset as split/class/file folders plus labels.csv (Keras flow_from_directory, PyTorch ImageFolder). */
  'export.dataset': command(
    z.object({ outDir: z.string().min(1).max(4096).optional() }).strict(),
    z.object({ dir: z.string(), images: z.number().int(), labelsCsv: z.string() }),
  ),
  'kfold.start': command(kfoldRequestSchema, jobStartedSchema),
  /** Near-duplicates across splits and class imbalance (hashes are cached per image content). */
  'health.check': command(empty, dataHealthSchema),
  /** Class imbalance only (cheap): the Train view warns with it before training. */
  'health.imbalance': command(empty, dataHealthSchema.shape.imbalance),
};
