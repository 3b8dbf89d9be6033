import { z } from 'zod';
import { command } from './define';
import { empty, jobIdSchema, jobStartedSchema } from './common';

export const TRAIN_MODE_CHOICES = ['scratch', 'bottleneck', 'finetune', 'auto'] as const;
export const trainModeChoiceSchema = z.enum(TRAIN_MODE_CHOICES);
export type TrainModeChoice = z.infer<typeof trainModeChoiceSchema>;
export const RUN_MODES = ['scratch', 'bottleneck', 'finetune'] as const;
/** 'interrupted': the app or command running it exited mid-run (crash, kill -9), found when the workspace next opens. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
/** Fastest first: the order the training process tries them in. */
export const BACKEND_CHOICES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
/** ONNX Runtime execution providers for the forward engine; auto = the platform's GPU one where present. */
export const EXECUTION_PROVIDER_CHOICES = ['cpu', 'dml', 'coreml', 'cuda'] as const;
export const DEVICE_CHOICES = ['auto', ...EXECUTION_PROVIDER_CHOICES] as const;
export const deviceChoiceSchema = z.enum(DEVICE_CHOICES);
export type DeviceChoiceName = z.infer<typeof deviceChoiceSchema>;
/** Architectures a Keras .h5 file can be rebuilt as. */
export const BACKBONE_ARCHS = ['vgg16', 'mobilenet_v1', 'mobilenet_v2', 'resnet50'] as const;
/** mobilenet: [-1,1] RGB; caffe: BGR minus the ImageNet mean; unit: [0,1] RGB. */
export const PREPROCESSING_PRESET_NAMES = ['mobilenet', 'caffe', 'unit'] as const;

/** What a user may set; anything left out takes the mode's default. */
export const trainRequestSchema = z
  .object({
    mode: trainModeChoiceSchema.default('auto'),
    backbone: z.string().min(1).max(200).optional(),
    from: z.string().min(1).max(64).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    batchSize: z.number().int().min(1).max(1024).optional(),
    learningRate: z.number().positive().max(10).optional(),
    seed: z.number().int().optional(),
    patience: z.number().int().min(0).max(1000).optional(),
    inputSize: z.number().int().min(16).max(512).optional(),
    hidden: z.number().int().min(0).max(4096).optional(),
    dropout: z.number().min(0).max(0.95).optional(),
    /** An augmentation preset name ('none' for none). */
    augment: z.string().min(1).max(100).optional(),
    augmentVariants: z.number().int().min(0).max(32).optional(),
    cacheVariants: z.number().int().min(0).max(32).optional(),
    backend: z.string().min(1).max(40).optional(),
    /** The forward engine's execution provider; absent = the setting, then auto. */
    device: z.string().min(1).max(40).optional(),
    /** Fraction of each class's train images held out for validation when the catalogue has none (default 0.15; 0: none). */
    holdout: z.number().min(0).max(0.5).optional(),
  })
  .strict();
export type TrainRequest = z.input<typeof trainRequestSchema>;

/** Train images a run holds out for validation because the catalogue has none (stored in the run's config too). */
export const validationHoldoutSchema = z.object({
  fraction: z.number(),
  seed: z.number().int(),
  images: z.number().int(),
  perClass: z.array(z.number().int()),
  message: z.string(),
});
export type ValidationHoldoutInfo = z.infer<typeof validationHoldoutSchema>;

export const trainStartedSchema = z.object({
  jobId: jobIdSchema,
  runId: z.string(),
  mode: z.enum(RUN_MODES),
  /** Why this mode (auto) or what the chosen mode does. */
  reason: z.string(),
  /** Set when the catalogue has no validation images and part of train measures accuracy instead. */
  holdout: validationHoldoutSchema.nullable(),
});

export const modeDefaultsSchema = z.object({
  epochs: z.number().int(),
  batchSize: z.number().int(),
  learningRate: z.number(),
  augmentPreset: z.string(),
  /** Backbone id (null: scratch has none; fine-tune uses its parent's). */
  backbone: z.string().nullable(),
});
export type ModeDefaults = z.infer<typeof modeDefaultsSchema>;

export const modeAdviceSchema = z.object({
  recommended: z.enum(RUN_MODES),
  reason: z.string(),
  /** The smallest class is large enough for fine-tuning (with hysteresis: see mode-advice). */
  large: z.boolean().optional(),
  imagesPerClass: z.number(),
  backboneAvailable: z.boolean(),
  /** A finished bottleneck run fine-tuning can start from, newest first. */
  finetuneFrom: z.string().nullable(),
  modes: z.array(z.object({ mode: trainModeChoiceSchema, fits: z.string(), available: z.boolean(), why: z.string().nullable() })),
  /** Set when the catalogue has no validation images: what a run will hold out of train instead. */
  holdout: z.string().nullable().optional(),
  /** What each mode uses when a field is left alone: the Train view shows these values, not "default". */
  defaults: z.record(z.enum(RUN_MODES), modeDefaultsSchema).optional(),
});
export type ModeAdvice = z.infer<typeof modeAdviceSchema>;

export const runEpochSchema = z.object({
  epoch: z.number().int(),
  loss: z.number().nullable(),
  acc: z.number().nullable(),
  valLoss: z.number().nullable(),
  valAcc: z.number().nullable(),
  seconds: z.number().nullable(),
});
export type RunEpoch = z.infer<typeof runEpochSchema>;

export const RUN_PHASES = ['starting', 'loading', 'features', 'training', 'saving'] as const;
export const runProgressSchema = z.object({
  phase: z.enum(RUN_PHASES),
  done: z.number(),
  total: z.number(),
  etaSeconds: z.number().nullable(),
  message: z.string(),
});
export type RunProgressInfo = z.infer<typeof runProgressSchema>;

export const runInfoSchema = z.object({
  id: z.string(),
  mode: z.enum(RUN_MODES),
  parentRun: z.string().nullable(),
  backboneId: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  error: z.string().nullable(),
  backend: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  timings: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  valAccuracy: z.number().nullable(),
  /** Validation images valAccuracy was measured on, and its 95% Wilson interval. */
  valCount: z.number().int().nullable().optional(),
  valAccuracyInterval: z.tuple([z.number(), z.number()]).nullable().optional(),
  /** True when the reported epoch was picked on the same validation split (the number is a little optimistic). */
  epochChosenOnValidation: z.boolean().optional(),
  epochs: z.array(runEpochSchema),
  modelDir: z.string().nullable(),
  jobId: z.string().nullable(),
  /** A live run's latest progress (phase and counts), so a table opened mid-run shows where it is. */
  progress: runProgressSchema.nullable().optional(),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

export const backboneInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string(),
  inputSize: z.number().int(),
  featureLayer: z.string(),
  topBlockStart: z.string().nullable(),
  weightsSha256: z.string(),
  preprocessing: z.record(z.string(), z.unknown()),
  bundled: z.boolean(),
  /** vgg16, mobilenet_v1, mobilenet_v2, resnet50 when known. */
  arch: z.string().nullable().optional(),
  /** Bytes of the model files on disk. */
  sizeBytes: z.number().nullable().optional(),
});
export type BackboneInfo = z.infer<typeof backboneInfoSchema>;

const candidateSchema = z.object({
  name: z.enum(BACKEND_CHOICES),
  package: z.string(),
  state: z.enum(['active', 'available', 'unavailable', 'failed', 'skipped']),
  reason: z.string().nullable(),
  enable: z.string(),
});
/** Which engine runs the backbone's forward passes (ONNX Runtime or TF.js), on which provider, and why. */
export const forwardDoctorSchema = z.object({
  engine: z.enum(['onnxruntime', 'tfjs']),
  provider: z.enum(EXECUTION_PROVIDER_CHOICES).nullable(),
  forced: z.enum(EXECUTION_PROVIDER_CHOICES).nullable(),
  reason: z.string(),
  providers: z.array(
    z.object({ name: z.enum(EXECUTION_PROVIDER_CHOICES), state: z.enum(['active', 'available', 'unavailable']), detail: z.string() }),
  ),
  onnxruntimeVersion: z.string().nullable(),
  /** The backbone whose conversion was checked (the default one). */
  backbone: z.string().nullable(),
  /** The layer that keeps it on TF.js; null when it converts. */
  unsupported: z.object({ layer: z.string(), className: z.string(), reason: z.string() }).nullable(),
});
export type ForwardDoctor = z.infer<typeof forwardDoctorSchema>;

/** `lds doctor --json` prints exactly this. */
export const doctorReportSchema = z.object({
  active: z.enum(BACKEND_CHOICES),
  tfjsBackend: z.string(),
  tfjsVersion: z.string(),
  threads: z.number().int(),
  cores: z.number().int(),
  simd: z.boolean().nullable(),
  forced: z.enum(BACKEND_CHOICES).nullable(),
  candidates: z.array(candidateSchema),
  enableFaster: z.string().nullable(),
  featureCacheBytes: z.number().nullable(),
  /** Training runs on the TF.js backend above; every backbone forward pass on this engine. */
  forward: forwardDoctorSchema.nullable(),
  /** The device setting in effect (explicit, LDS_DEVICE or the Settings view's). */
  device: deviceChoiceSchema.optional(),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

export const trainingCommands = {
  'train.start': command(trainRequestSchema, trainStartedSchema),
  'train.advice': command(empty, modeAdviceSchema),
  'runs.list': command(empty, z.array(runInfoSchema)),
  'runs.get': command(z.object({ id: z.string().min(1).max(64) }).strict(), runInfoSchema),
  /** keepBest: stop after the current epoch and keep the best weights so far as a finished model (the run succeeds). */
  'runs.cancel': command(
    z.object({ id: z.string().min(1).max(64), keepBest: z.boolean().optional() }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
  'backbones.list': command(empty, z.array(backboneInfoSchema)),
  /** dir: a Keras .h5 file, a Teachable Machine export or a TF.js layers model folder. */
  'backbones.add': command(
    z
      .object({
        dir: z.string().min(1).max(4096),
        id: z.string().min(1).max(100).optional(),
        featureLayer: z.string().min(1).max(200).optional(),
        topBlockStart: z.string().min(1).max(200).optional(),
        arch: z.enum(BACKBONE_ARCHS).optional(),
        inputSize: z.number().int().min(32).max(1024).optional(),
        preprocessing: z.enum(PREPROCESSING_PRESET_NAMES).optional(),
      })
      .strict(),
    backboneInfoSchema,
  ),
  /** The layers a TF.js folder / Teachable Machine export can give features from, and the default (the last feature map). */
  'backbones.layers': command(
    z.object({ path: z.string().min(1).max(4096) }).strict(),
    z.object({ layers: z.array(z.object({ name: z.string(), shape: z.array(z.number()) })), defaultLayer: z.string() }),
  ),
  /** The official Keras Applications weights one click can fetch (ids for backbones.download). */
  'backbones.downloadable': command(
    empty,
    z.array(z.object({ id: z.string(), label: z.string(), file: z.string(), url: z.string(), installed: z.boolean() })),
  ),
  /**
   * A job: download (resumable, checksummed) then import; offline it fails naming the file, its URL and how to add it by hand.
   * With no project open it only downloads (into the user's data folder); its result is then { id, file, sha256, bytes }.
   */
  'backbones.download': command(z.object({ id: z.string().min(1).max(100) }).strict(), jobStartedSchema),
  /** The Settings view's device for forward passes (auto, cpu, dml, coreml, cuda); it applies to the next job. */
  'system.setDevice': command(z.object({ device: deviceChoiceSchema }).strict(), z.object({ device: deviceChoiceSchema })),
  'system.doctor': command(
    z.object({ backend: z.string().min(1).max(40).optional(), device: z.string().min(1).max(40).optional() }).strict(),
    doctorReportSchema,
  ),
};

export const trainingEvents = {
  /** One per finished epoch, as it comes (live curves). */
  'run.epoch': runEpochSchema.extend({ runId: z.string() }),
  /** Throttled like job.progress. */
  'run.progress': runProgressSchema.extend({ runId: z.string() }),
  'run.finished': z.object({
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    error: z.string().nullable(),
    valAccuracy: z.number().nullable(),
  }),
};
