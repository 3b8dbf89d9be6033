import { z } from 'zod';
import { kfoldReportSchema } from '@shared/contract/evaluation';
import { RESIZE_MODES } from '@shared/contract/project';
import { doctorReportSchema, runEpochSchema, trainingEvents, trainRequestSchema } from '@shared/contract/training';
import { backboneSpecSchema } from '../backbones/backbone-spec';
import { EXECUTION_PROVIDERS } from '../forward/execution-provider';

/**
 * The typed messages between main and the training process. Both sides validate every message:
 * the process boundary is where a bug or a crash shows up, and a clear parse error beats a hang.
 */
export const manifestItemSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  label: z.number().int().nonnegative(),
  split: z.enum(['train', 'validation', 'test']),
});
export type ManifestItem = z.infer<typeof manifestItemSchema>;

export const datasetManifestSchema = z.object({
  classes: z.array(z.string()).min(2),
  items: z.array(manifestItemSchema),
});
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;

export const TRAIN_MODES = ['scratch', 'bottleneck', 'finetune'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];

export const augmentParamsSchema = z.record(z.string(), z.unknown());

/** The request's settings, every one resolved (run-config.ts), augmentation as parameters instead of a preset name. */
export const trainConfigSchema = z.object({
  ...trainRequestSchema
    .pick({
      epochs: true,
      batchSize: true,
      learningRate: true,
      seed: true,
      patience: true,
      inputSize: true,
      hidden: true,
      dropout: true,
      augmentVariants: true,
      cacheVariants: true,
    })
    .required().shape,
  /** Keras ImageDataGenerator parameters; null = no augmentation. */
  augment: augmentParamsSchema.nullable(),
  /** The project's resize mode (absent: stretch, as before the choice existed). */
  resizeMode: z.enum(RESIZE_MODES).optional(),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;

export const startMessageSchema = z.object({
  type: z.literal('start'),
  runId: z.string(),
  mode: z.enum(TRAIN_MODES),
  config: trainConfigSchema,
  manifest: datasetManifestSchema,
  backbone: backboneSpecSchema.nullable(),
  /** fine-tune: the finished bottleneck run's model folder. */
  parentModelDir: z.string().nullable(),
  /** workspace/features: the bottleneck cache. */
  featuresDir: z.string(),
  /** Where the model goes; written to a temp folder first and renamed on success. */
  outDir: z.string(),
  backend: z.string().nullable(),
  /** The forward engine's execution provider (--device, the setting); null/absent = auto. */
  device: z.string().nullable().optional(),
});
export type StartMessage = z.infer<typeof startMessageSchema>;

/**
 * Work on a finished model that main hands to a fresh training process, so TensorFlow.js never runs
 * in main (the window's process under Electron). Each is one job: progress, a result, cancel.
 */
export const predictMessageSchema = z.object({
  type: z.literal('predict'),
  modelDir: z.string(),
  items: z.array(z.object({ path: z.string(), sha256: z.string() })),
  /** Bottleneck runs: the run's backbone, to reuse the feature cache its training filled; null = whole model per image. */
  backbone: backboneSpecSchema.nullable(),
  featuresDir: z.string().nullable(),
  /** Progress text prefix ("evaluating on validation"). */
  label: z.string(),
  backend: z.string().nullable(),
  device: z.string().nullable().optional(),
});
export type PredictMessage = z.infer<typeof predictMessageSchema>;

export const kfoldMessageSchema = z.object({
  type: z.literal('kfold'),
  items: z.array(manifestItemSchema),
  classes: z.array(z.string()).min(2),
  backbone: backboneSpecSchema,
  featuresDir: z.string(),
  k: z.number().int().min(2),
  config: trainConfigSchema,
  backend: z.string().nullable(),
  device: z.string().nullable().optional(),
  /** Also answer every scored image's out-of-fold probabilities (label issues need them). */
  outOfFold: z.boolean().optional(),
  /** Also answer the feature-space neighbours of the scored images (outliers and near-duplicates). */
  neighbours: z.object({ k: z.number().int().min(1), minSimilarity: z.number().min(-1).max(1) }).optional(),
});
export type KfoldMessage = z.infer<typeof kfoldMessageSchema>;

export const exportMessageSchema = z.object({
  type: z.literal('export'),
  runDir: z.string(),
  outDir: z.string(),
  appVersion: z.string(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  backend: z.string().nullable(),
  format: z.enum(['tfjs', 'tm', 'onnx']).default('tfjs'),
});
export type ExportMessage = z.infer<typeof exportMessageSchema>;

/** The dataset map: every image's cached features laid out in 2-D (PCA, then seeded UMAP). */
export const mapMessageSchema = z.object({
  type: z.literal('map'),
  items: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  backbone: backboneSpecSchema,
  featuresDir: z.string(),
  seed: z.number().int(),
  backend: z.string().nullable(),
  device: z.string().nullable().optional(),
});
export type MapMessage = z.infer<typeof mapMessageSchema>;

export const mapResultSchema = z.object({
  /** x, y per item in the message's order, in [-1, 1]. */
  xy: z.array(z.number()),
  featuresComputed: z.number().int(),
  featuresFromCache: z.number().int(),
  featureSeconds: z.number(),
  layoutSeconds: z.number(),
  seconds: z.number(),
});
export type MapResult = z.infer<typeof mapResultSchema>;

/** Grad-CAM maps for pictures with a saved model (explain.ts in the worker). */
export const explainMessageSchema = z.object({
  type: z.literal('explain'),
  modelDir: z.string(),
  paths: z.array(z.string()).min(1),
  /** The class to explain for every picture; null = each picture's own top class. */
  classIndex: z.number().int().nonnegative().nullable(),
  backend: z.string().nullable(),
});
export type ExplainMessage = z.infer<typeof explainMessageSchema>;

export const imageExplanationSchema = z.object({
  layer: z.string(),
  gridWidth: z.number().int().positive(),
  gridHeight: z.number().int().positive(),
  grid: z.array(z.number()),
  peak: z.number(),
  probabilities: z.array(z.number()),
  classIndex: z.number().int().nonnegative(),
});

export type ComputeMessage = PredictMessage | KfoldMessage | ExportMessage | MapMessage | ExplainMessage;

/** Which backend and forward engine a fresh process would use; with a backbone, whether it converts to ONNX. */
export const doctorMessageSchema = z.object({
  type: z.literal('doctor'),
  backend: z.string().nullable(),
  device: z.string().nullable().optional(),
  backbone: backboneSpecSchema.nullable().optional(),
  featuresDir: z.string().nullable().optional(),
});
export type DoctorMessage = z.infer<typeof doctorMessageSchema>;

export const toWorkerSchema = z.discriminatedUnion('type', [
  startMessageSchema,
  predictMessageSchema,
  kfoldMessageSchema,
  exportMessageSchema,
  mapMessageSchema,
  explainMessageSchema,
  z.object({ type: z.literal('cancel') }),
  /** Stop training after this epoch and save the best weights so far (the run succeeds). */
  z.object({ type: z.literal('stop') }),
  doctorMessageSchema,
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/** The doctor's report as the process sees it; main adds cores and the feature cache size. */
export const backendReportSchema = doctorReportSchema.omit({ cores: true, featureCacheBytes: true, forward: true, device: true });
export type BackendReport = z.infer<typeof backendReportSchema>;
/** Each backend in the order tried, fastest first (BACKEND_CHOICES); state active: in use, available: would load, unavailable: a known reason, failed: tried and threw, skipped: not tried. */
export type BackendCandidate = BackendReport['candidates'][number];
export type BackendName = BackendReport['active'];

const providerStateSchema = z.object({
  name: z.enum(EXECUTION_PROVIDERS),
  state: z.enum(['active', 'available', 'unavailable']),
  detail: z.string(),
});
/** Which engine runs the backbone's forward passes, on which provider, and why. */
export const forwardReportSchema = z.object({
  engine: z.enum(['onnxruntime', 'tfjs']),
  provider: z.enum(EXECUTION_PROVIDERS).nullable(),
  forced: z.enum(EXECUTION_PROVIDERS).nullable(),
  reason: z.string(),
  providers: z.array(providerStateSchema),
  onnxruntimeVersion: z.string().nullable(),
  /** The backbone the doctor tried to convert, and the layer that stopped it (null: it converts). */
  backbone: z.string().nullable(),
  unsupported: z.object({ layer: z.string(), className: z.string(), reason: z.string() }).nullable(),
});
export type ForwardReport = z.infer<typeof forwardReportSchema>;

/** A finished epoch always has its loss, accuracy and time; only validation may be missing. */
export const epochMessageSchema = runEpochSchema.extend({
  type: z.literal('epoch'),
  loss: z.number(),
  acc: z.number(),
  seconds: z.number(),
});

export const runSummarySchema = z.object({
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  stoppedEarly: z.boolean(),
  trainAccuracy: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  valLoss: z.number().nullable(),
  secondsPerEpoch: z.number().nullable(),
  featureSeconds: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  featuresComputed: z.number().int(),
  featuresFromCache: z.number().int(),
  peakRssBytes: z.number(),
  numTensors: z.number().int(),
  /** The engine of each forward pass the run made (ONNX Runtime or TF.js, and why). */
  forward: z
    .array(z.object({ engine: z.enum(['onnxruntime', 'tfjs']), provider: z.enum(EXECUTION_PROVIDERS).nullable(), reason: z.string() }))
    .optional(),
  /** What the user should know about how the run ran (a fallback and its reason). */
  notes: z.array(z.string()).optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** The contract's k-fold report plus the fold each image fell in. */
export const kfoldResultSchema = kfoldReportSchema.extend({
  mode: z.literal('bottleneck'),
  assignment: z.array(z.number().int()),
  /** When asked: per item, the probabilities of the head that did not see it ([] for the test split). */
  outOfFold: z.array(z.array(z.number())).optional(),
  /** When asked: cosine neighbours of the pool's features, in item indices (null for the test split). */
  neighbours: z
    .object({
      /** Mean cosine distance to the k nearest other scored images. */
      meanDistance: z.array(z.number().nullable()),
      /** Pairs at or above the similarity asked for: [item a, item b, similarity], a < b. */
      pairs: z.array(z.tuple([z.number().int(), z.number().int(), z.number()])),
      k: z.number().int(),
      seconds: z.number(),
    })
    .optional(),
});

/** The answers to the compute messages, one per message type. */
export const computeResultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('predicted'), labels: z.array(z.string()), probabilities: z.array(z.array(z.number())) }),
  z.object({ type: z.literal('kfold-done'), result: kfoldResultSchema }),
  z.object({
    type: z.literal('exported'),
    dir: z.string(),
    files: z.array(z.string()),
    layout: z.enum(['teachable-machine', 'as-trained', 'onnx']),
  }),
  z.object({ type: z.literal('map-done'), result: mapResultSchema }),
  z.object({ type: z.literal('explained'), labels: z.array(z.string()), explanations: z.array(imageExplanationSchema) }),
]);
export type ComputeResult = z.infer<typeof computeResultSchema>;

export const fromWorkerSchema = z.discriminatedUnion('type', [
  ...computeResultSchema.options,
  z.object({ type: z.literal('job-progress'), done: z.number(), total: z.number(), message: z.string() }),
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('backend'), report: backendReportSchema, forward: forwardReportSchema.optional() }),
  // run.progress without its run id; 'starting' is main's own phase.
  trainingEvents['run.progress']
    .omit({ runId: true })
    .extend({ type: z.literal('progress'), phase: trainingEvents['run.progress'].shape.phase.exclude(['starting']) }),
  epochMessageSchema,
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('done'), summary: runSummarySchema }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
export type EpochMessage = z.infer<typeof epochMessageSchema>;
