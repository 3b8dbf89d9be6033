import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ResizeMode } from '@shared/contract/project';
import type { ModeAdvice, ModeDefaults, RunInfo, RunProgressInfo, TrainRequest } from '@shared/contract/training';
import type { Catalogue } from '../../catalogue';
import { PresetsRepository } from '../../catalogue/presets-repository';
import { RunsRepository, type RunRow } from '../../catalogue/runs-repository';
import type { EventBus } from '../../engine/event-bus';
import type { JobContext, JobRunner } from '../../jobs/job-runner';
import { builtinPreset } from '../../augment/presets';
import { withResizeMode, type BackboneSpec } from '../backbones/backbone-spec';
import type { WorkspaceBackbones } from '../backbones/workspace-backbones';
import { readModelMetadata } from '../protocol/model-metadata';
import type { DatasetManifest, FromWorker, RunSummary, StartMessage, TrainMode } from '../protocol/worker-protocol';
import type { TrainingProcess, TrainingProcessLauncher } from './launcher';
import { adviseMode, type DataFacts } from './mode-advice';
import { accuracyInterval } from '@shared/wilson';
import { MODE_DEFAULTS, resolveConfig } from './run-config';
import { recoverInterruptedRuns, runOwner } from './interrupted-runs';
import {
  DEFAULT_HOLDOUT_FRACTION,
  holdOutValidation,
  plannedHoldoutNote,
  recordedHoldout,
  type ValidationHoldout,
} from './validation-holdout';
import { describeExit, superviseProcess, TrainingError } from './supervise-process';

export interface RunManagerOptions {
  catalogue: Catalogue;
  runsDir: string;
  featuresDir: string;
  backbones: WorkspaceBackbones;
  jobs: JobRunner;
  events: EventBus;
  launcher: TrainingProcessLauncher;
  /** Keeps the catalogue open while a run writes to it (Workspace.use). */
  holdOpen?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Aborts when the project closes: its runs are cancelled like a user cancel. */
  closing?: AbortSignal;
  /** The project's resize mode (stretch when absent): recorded in each run and followed by its training. */
  resizeMode?: ResizeMode;
}

export interface StartedRun {
  jobId: string;
  runId: string;
  mode: TrainMode;
  reason: string;
  holdout: ValidationHoldout | null;
  /** Resolves with the run's final row when it ends (any outcome). */
  finished: Promise<RunRow>;
}

/**
 * Main's side of training: a run is a job; the work happens in a separate process that never opens
 * the catalogue. Everything it reports is written as it comes; whatever ends it (done, error,
 * cancel, crash, kill -9, out of memory) leaves the run in a final state with the reason.
 */
export class RunManager {
  readonly runs: RunsRepository;
  readonly #active = new Map<string, { jobId: string; process: TrainingProcess | null; progress?: RunProgressInfo; keepBest?: boolean }>();

  constructor(readonly options: RunManagerOptions) {
    this.runs = options.catalogue.repo(RunsRepository);
    // Also done when the workspace opens; kept here for a manager built on a catalogue opened otherwise.
    recoverInterruptedRuns(options.catalogue, options.runsDir);
  }

  manifest(): DatasetManifest {
    const rows = this.runs.trainingImages();
    const classes: string[] = [];
    const index = new Map<number, number>();
    for (const row of rows) {
      if (!index.has(row.classId)) {
        index.set(row.classId, classes.length);
        classes.push(row.className);
      }
    }
    return { classes, items: rows.map((r) => ({ path: r.path, sha256: r.sha256, label: index.get(r.classId) as number, split: r.split })) };
  }

  advice(): ModeAdvice {
    const manifest = this.manifest();
    const perClass = manifest.classes.map((_, i) => manifest.items.filter((it) => it.label === i && it.split === 'train').length);
    let backboneAvailable: boolean;
    try {
      backboneAvailable = this.options.backbones.bundled() !== null;
    } catch {
      backboneAvailable = false;
    }
    const parent = this.runs
      .list()
      .find(
        (r) =>
          r.mode === 'bottleneck' &&
          r.status === 'succeeded' &&
          sameClasses(r, manifest.classes) &&
          existsSync(join(this.options.runsDir, r.id, 'model.json')),
      );
    // Hysteresis memory: the newest finished run on these classes says whether the data counted as large then.
    const lastFinished = this.runs.list().find((r) => r.status === 'succeeded' && sameClasses(r, manifest.classes));
    const largeBefore = lastFinished ? lastFinished.config.largeData === true || lastFinished.mode === 'finetune' : false;
    const advice = adviseMode({
      trainPerClass: perClass,
      backboneAvailable,
      finishedBottleneck: parent?.id ?? null,
      largeBefore,
      finishedFinetune: parent ? this.#finetuneOf(parent) : null,
    });
    return { ...advice, holdout: plannedHoldoutNote(manifest), defaults: this.#modeDefaults(backboneAvailable) };
  }

  /** What each mode runs with when the user changes nothing (the Train view shows these numbers). */
  #modeDefaults(backboneAvailable: boolean): Record<TrainMode, ModeDefaults> {
    let backbone: string | null = null;
    try {
      backbone = backboneAvailable ? (this.options.backbones.spec(undefined)?.id ?? null) : null;
    } catch {
      backbone = null;
    }
    const of = (mode: TrainMode): ModeDefaults => {
      const d = MODE_DEFAULTS[mode];
      return {
        epochs: d.epochs,
        batchSize: d.batchSize,
        learningRate: d.learningRate,
        augmentPreset: d.augmentPreset,
        backbone: mode === 'scratch' ? null : backbone,
      };
    };
    return { scratch: of('scratch'), bottleneck: of('bottleneck'), finetune: of('finetune') };
  }

  /** The newest finished fine-tune of a bottleneck run, with both accuracies on the same validation images. */
  #finetuneOf(parent: RunRow): DataFacts['finishedFinetune'] {
    const child = this.runs.list().find((r) => r.mode === 'finetune' && r.status === 'succeeded' && r.parentRun === parent.id);
    const acc = (r: RunRow): number | null => (typeof r.metrics?.valAccuracy === 'number' ? r.metrics.valAccuracy : null);
    const n = child ? validationCount(child.config) : null;
    const [a, b] = [child ? acc(child) : null, acc(parent)];
    return child && a !== null && b !== null && n ? { id: child.id, valAccuracy: a, parentValAccuracy: b, valCount: n } : null;
  }

  start(request: TrainRequest): StartedRun {
    const manifest = this.manifest();
    if (manifest.classes.length < 2)
      throw new TrainingError(
        'invalid_input',
        `training needs at least 2 classes with labelled images in the train split; found ${manifest.classes.length}`,
      );
    const missing = manifest.classes.filter((_, i) => !manifest.items.some((it) => it.label === i && it.split === 'train'));
    if (missing.length) throw new TrainingError('invalid_input', `class ${missing.join(', ')} has no training images`);

    let mode: TrainMode;
    let reason: string;
    let from = request.from ?? null;
    const advice = this.advice();
    if ((request.mode ?? 'auto') === 'auto') {
      mode = advice.recommended;
      reason = `auto: ${advice.reason}`;
      if (mode === 'finetune') from = advice.finetuneFrom;
    } else {
      mode = request.mode as TrainMode;
      reason = {
        scratch: 'scratch: the recipe CNN trained from random weights',
        bottleneck: 'bottleneck: cached backbone features and a small head',
        finetune: 'fine-tune: the backbone’s top block and the head from a trained bottleneck run',
      }[mode];
    }

    let parentModelDir: string | null = null;
    let backbone: BackboneSpec | null = null;
    let parentHoldout: { fraction: number; seed: number } | null = null;
    if (mode === 'finetune') {
      if (!from)
        throw new TrainingError(
          'invalid_input',
          'fine-tune needs a finished bottleneck run to start from (--from RUN): a random head would wreck the pretrained weights',
        );
      const parent = this.runs.get(from);
      parentHoldout = parent ? recordedHoldout(parent.config) : null;
      if (!parent) throw new TrainingError('not_found', `no run "${from}"`);
      parentModelDir = join(this.options.runsDir, parent.id);
      if (parent.status !== 'succeeded' || !existsSync(join(parentModelDir, 'model.json')))
        throw new TrainingError(
          'invalid_input',
          `run ${from} has no trained model (status ${parent.status}): fine-tune starts from a finished bottleneck run`,
        );
      if (parent.mode === 'scratch')
        throw new TrainingError(
          'invalid_input',
          `run ${from} is a scratch run: fine-tune needs a backbone with a trained head (a bottleneck run)`,
        );
      const meta = readModelMetadata(parentModelDir);
      backbone = this.options.backbones.spec(meta.backbone?.id);
    } else if (mode === 'bottleneck') {
      backbone = this.options.backbones.spec(request.backbone);
      if (!backbone)
        throw new TrainingError('not_found', 'no backbone is installed: the bundled MobileNet is missing from resources/backbones');
    }
    if (mode === 'finetune' && !backbone) throw new TrainingError('not_found', 'the parent run’s backbone is no longer installed');

    let config;
    try {
      config = resolveConfig(mode, request, (name) => builtinPreset(name)?.params ?? this.#userPreset(name));
    } catch (error) {
      throw new TrainingError('invalid_input', (error as Error).message);
    }
    const { augmentPreset, ...resolved } = config;
    const resizeMode = this.options.resizeMode ?? 'stretch';
    const trainConfig = { ...resolved, resizeMode };
    // The spec's preprocessing carries the mode, so feature caches, decoding and the saved metadata all follow it.
    if (backbone) backbone = withResizeMode(backbone, resizeMode);
    // A fine-tune holds out what its parent held out: its head never saw those images.
    const { manifest: runManifest, holdout } = holdOutValidation(
      manifest,
      parentHoldout?.fraction ?? request.holdout ?? DEFAULT_HOLDOUT_FRACTION,
      parentHoldout?.seed ?? trainConfig.seed,
    );
    const runId = newRunId();
    this.runs.create({
      id: runId,
      mode,
      parentRun: from,
      backboneId: backbone?.id ?? null,
      config: {
        ...trainConfig,
        augmentPreset,
        ...runOwner(),
        requestedMode: request.mode ?? 'auto',
        reason,
        largeData: advice.large ?? false,
        backend: request.backend ?? null,
        classes: manifest.classes,
        counts: countSplits(runManifest),
        validationHoldout: holdout,
      },
    });
    const message: StartMessage = {
      type: 'start',
      runId,
      mode,
      config: trainConfig,
      manifest: runManifest,
      backbone,
      parentModelDir,
      featuresDir: this.options.featuresDir,
      outDir: join(this.options.runsDir, runId),
      backend: request.backend ?? process.env.LDS_BACKEND ?? null,
      device: request.device ?? null,
    };
    let resolveFinished!: (row: RunRow) => void;
    const finished = new Promise<RunRow>((r) => (resolveFinished = r));
    const jobId = this.options.jobs.start({
      kind: 'train',
      label: `Training (${mode})`,
      run: (ctx) => (this.options.holdOpen ? this.options.holdOpen(() => this.#execute(message, ctx)) : this.#execute(message, ctx)),
      cleanup: () => {
        this.#active.delete(runId);
        try {
          resolveFinished(this.runs.get(runId) as RunRow);
        } catch {
          // The project closed meanwhile: the run was recorded before the catalogue closed.
          resolveFinished({ id: runId, status: 'cancelled' } as RunRow);
        }
      },
    });
    this.#active.set(runId, { jobId, process: null });
    return { jobId, runId, mode, reason, holdout, finished };
  }

  #userPreset(name: string): Record<string, unknown> | null {
    const row = this.options.catalogue.repo(PresetsRepository).get(name);
    return row ? (JSON.parse(row.params) as Record<string, unknown>) : null;
  }

  /**
   * keepBest: the training process stops after its current epoch (or its first, if none has ended) and
   * saves the best weights so far, so the run succeeds with a usable model; otherwise it is cancelled.
   */
  cancel(runId: string, keepBest = false): boolean {
    const active = this.#active.get(runId);
    if (!active) return false;
    if (keepBest && active.process) {
      active.keepBest = true;
      active.process.send({ type: 'stop' });
      this.options.events.emit('run.progress', {
        runId,
        ...(active.progress ?? { phase: 'training', done: 0, total: 1, etaSeconds: null }),
        message: 'stopping after this epoch; the best model so far is kept',
      });
      return true;
    }
    return this.options.jobs.cancel(active.jobId);
  }

  /** The training process of a running run (tests kill it to prove a crash is handled). */
  processOf(runId: string): TrainingProcess | null {
    return this.#active.get(runId)?.process ?? null;
  }

  info(row: RunRow): RunInfo {
    const dir = join(this.options.runsDir, row.id);
    const metrics = row.metrics;
    const valAccuracy = typeof metrics?.valAccuracy === 'number' ? metrics.valAccuracy : null;
    const valCount = validationCount(row.config);
    const epochs = typeof metrics?.epochs === 'number' ? metrics.epochs : 0;
    return {
      ...row,
      valAccuracy,
      valCount,
      valAccuracyInterval: valAccuracy !== null && valCount ? accuracyInterval(valAccuracy, valCount) : null,
      // The loop keeps the epoch with the lowest validation loss: with more than one, the split chose it.
      epochChosenOnValidation: valAccuracy !== null && epochs > 1,
      epochs: this.runs.epochs(row.id),
      modelDir: row.status === 'succeeded' && existsSync(join(dir, 'model.json')) ? dir : null,
      jobId: this.#active.get(row.id)?.jobId ?? null,
      progress: this.#active.get(row.id)?.progress ?? null,
    };
  }

  list(): RunInfo[] {
    // A window open for days must see a run of `lds train` that was killed meanwhile as interrupted.
    recoverInterruptedRuns(this.options.catalogue, this.options.runsDir);
    return this.runs.list().map((r) => this.info(r));
  }

  get(id: string): RunInfo {
    const row = this.runs.get(id);
    if (!row) throw new TrainingError('not_found', `no run "${id}"`);
    return this.info(row);
  }

  async #execute(message: StartMessage, ctx: JobContext): Promise<RunSummary | null> {
    const { runId } = message;
    const { events } = this.options;
    const started = Date.now();
    const child = this.options.launcher.launch();
    const active = {
      jobId: this.#active.get(runId)?.jobId ?? '',
      process: child as TrainingProcess | null,
      progress: undefined as RunProgressInfo | undefined,
      keepBest: false,
    };
    this.#active.set(runId, active);
    const report = (progress: RunProgressInfo): void => {
      active.progress = progress;
      events.emit('run.progress', { runId, ...progress });
    };
    report({ phase: 'starting', done: 0, total: 1, etaSeconds: null, message: 'starting the training process' });

    let summary: RunSummary | null = null;
    let recordingFailure: string | null = null;
    const closing = this.options.closing;
    const onClosing = (): void => {
      if (!ctx.signal.aborted) this.options.jobs.cancel(this.#active.get(runId)?.jobId ?? '');
    };
    closing?.addEventListener('abort', onClosing, { once: true });
    const record = (m: FromWorker): void => {
      if (m.type === 'backend') this.runs.markRunning(runId, m.report.active);
      else if (m.type === 'done') summary = m.summary;
      else if (m.type === 'progress') {
        ctx.progress(m.done, m.total, m.message);
        report({
          phase: m.phase,
          done: m.done,
          total: m.total,
          etaSeconds: m.etaSeconds,
          message: active.keepBest ? `stopping after this epoch (${m.message})` : m.message,
        });
      } else if (m.type === 'epoch') {
        const { type: _type, ...epoch } = m;
        this.runs.addEpoch(runId, epoch);
        events.emit('run.epoch', { runId, ...epoch });
      }
    };
    const end = await superviseProcess(child, {
      start: message,
      signal: ctx.signal,
      onMessage: (m) => {
        try {
          record(m);
        } catch (error) {
          // A write that fails (disk full, catalogue gone) ends the run rather than the app.
          recordingFailure = `recording the run failed: ${(error as Error).message}`;
          child.kill('SIGKILL');
        }
      },
    });
    closing?.removeEventListener('abort', onClosing);
    const seconds = (Date.now() - started) / 1000;
    const outDir = message.outDir;
    // Never leave half a model behind: the process writes to .partial and renames only on success.
    rmSync(`${outDir}.partial`, { recursive: true, force: true });

    const final = summary as RunSummary | null;
    if (final && !ctx.signal.aborted) {
      this.runs.finish(runId, 'succeeded', {
        metrics: active.keepBest ? { ...final, stoppedByUser: true } : final,
        timings: { totalSeconds: seconds, featureSeconds: final.featureSeconds, secondsPerEpoch: final.secondsPerEpoch },
      });
    } else if (end.cancelled) {
      rmSync(outDir, { recursive: true, force: true });
      this.runs.finish(runId, 'cancelled', { error: 'cancelled by the user', timings: { totalSeconds: seconds } });
    } else {
      rmSync(outDir, { recursive: true, force: true });
      const reason = recordingFailure ?? end.failure ?? describeExit(end.code, end.signal);
      this.runs.finish(runId, 'failed', { error: reason, timings: { totalSeconds: seconds } });
    }
    const row = this.runs.get(runId) as RunRow;
    events.emit('run.finished', { runId, status: row.status, error: row.error, valAccuracy: final?.valAccuracy ?? null });
    if (row.status === 'failed') throw new Error(row.error ?? 'training failed');
    return final;
  }
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function countSplits(manifest: DatasetManifest): Record<string, number> {
  const counts: Record<string, number> = { train: 0, validation: 0, test: 0 };
  for (const item of manifest.items) counts[item.split] = (counts[item.split] ?? 0) + 1;
  return counts;
}

function sameClasses(run: RunRow, classes: string[]): boolean {
  const runClasses = run.config.classes;
  return Array.isArray(runClasses) && runClasses.join('\n') === classes.join('\n');
}

/** The validation images a run measured on (recorded at start, held-out images included). */
function validationCount(config: Record<string, unknown>): number | null {
  const counts = config.counts as Record<string, unknown> | undefined;
  return typeof counts?.validation === 'number' && counts.validation > 0 ? counts.validation : null;
}
