import type {
  BackboneInfo,
  DoctorReport,
  EventPayload,
  ModeAdvice,
  ModeDefaults,
  RunEpoch,
  TrainModeChoice,
  TrainRequest,
} from '@shared/contract';
import { BACKEND_CHOICES } from '@shared/contract';
import { ApiError, getApi } from '../lib/api';
import { augment } from './augment.svelte';
import { notices } from './notices.svelte';
import { runs } from './runs.svelte';
import { runDetail } from '../views/runs/run-detail.svelte';

export type RunProgress = Omit<EventPayload<'run.progress'>, 'runId'>;
type RunMode = ModeAdvice['recommended'];

/** The fields the user may change; a field not touched shows and uses the chosen mode's default. */
export const TRAIN_FIELDS = ['epochs', 'batchSize', 'learningRate', 'seed', 'augment', 'backbone', 'from', 'backend'] as const;
export type TrainField = (typeof TRAIN_FIELDS)[number];
export type TrainParams = Record<TrainField, string>;

/** What a user typed instead of a preset name: the Augment view's hand-edited parameters. */
export const CUSTOM_AUGMENT = '__custom__';

/** Each project keeps its own settings and its own watched run (switching must not carry them over). */
interface ProjectTrainState {
  mode: TrainModeChoice;
  params: TrainParams;
  touched: TrainField[];
  runId: string | null;
}

const DEFAULT_SEED = 42;

const NUMERIC: Partial<Record<TrainField, { name: string; integer: boolean; min: number; max: number }>> = {
  epochs: { name: 'a number of epochs', integer: true, min: 1, max: 1000 },
  batchSize: { name: 'a batch size', integer: true, min: 1, max: 1024 },
  learningRate: { name: 'a learning rate', integer: false, min: Number.MIN_VALUE, max: 10 },
  seed: { name: 'a seed', integer: true, min: -(2 ** 31), max: 2 ** 31 - 1 },
};

/** A field's problem in words, or null. */
export function fieldProblem(field: TrainField, text: string): string | null {
  const rule = NUMERIC[field];
  if (!rule) return null;
  const t = text.trim();
  if (t === '') return `Enter ${rule.name}`;
  const n = Number(t);
  if (!Number.isFinite(n)) return `Enter ${rule.name}: “${t}” is not a number`;
  if (rule.integer && !Number.isInteger(n)) return `Enter a whole number`;
  if (field === 'learningRate' && n <= 0) return 'Enter a learning rate above 0 (e.g. 0.001)';
  if (n < rule.min || n > rule.max) return `Enter ${rule.name} from ${rule.min.toLocaleString()} to ${rule.max.toLocaleString()}`;
  return null;
}

const emptyParams = (): TrainParams => ({
  epochs: '',
  batchSize: '',
  learningRate: '',
  seed: '',
  augment: '',
  backbone: '',
  from: '',
  backend: '',
});

/**
 * The Train view's state: the recommendation for this dataset, the chosen mode and parameters (per
 * project), and the run being watched (its curves grow from run.epoch events, its bar from
 * run.progress). A finished run is evaluated at once, so its result shows without another click.
 */
class TrainManager {
  advice = $state.raw<ModeAdvice | null>(null);
  backbones = $state.raw<BackboneInfo[]>([]);
  doctor = $state.raw<DoctorReport | null>(null);
  mode = $state<TrainModeChoice>('auto');
  params = $state<TrainParams>(emptyParams());
  /** Fields the user changed; the rest follow the mode's defaults. */
  touched = $state<TrainField[]>([]);
  /** Problems shown at their fields (from typing or from the engine). */
  errors = $state<Partial<Record<TrainField, string>>>({});
  runId = $state<string | null>(null);
  reason = $state<string | null>(null);
  /** Set when the catalogue has no validation images and the run measures accuracy on part of train. */
  holdout = $state<string | null>(null);
  epochs = $state.raw<RunEpoch[]>([]);
  progress = $state.raw<RunProgress | null>(null);
  status = $state<'idle' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'>('idle');
  error = $state<string | null>(null);
  valAccuracy = $state<number | null>(null);
  /** Validation images behind valAccuracy, and whether its epoch was picked on them. */
  valCount = $state<number | null>(null);
  epochChosenOnValidation = $state(false);
  /** The user chose "Stop, keep the best": the run ends after this epoch with a model. */
  stopping = $state(false);
  stoppedByUser = $state(false);
  #listening = false;
  #projectDir: string | null = null;
  readonly #byProject = new Map<string, ProjectTrainState>();

  /** The mode a run would train in now (auto resolved by the advice). */
  readonly effectiveMode = $derived<RunMode | null>(this.mode === 'auto' ? (this.advice?.recommended ?? null) : this.mode);
  readonly defaults = $derived<ModeDefaults | null>(this.effectiveMode ? (this.advice?.defaults?.[this.effectiveMode] ?? null) : null);
  /**
   * The preset being previewed in Augment for this project (its parameters edited by hand: custom).
   * The Augment view's state is per project, so another project's preview never shows here.
   */
  readonly augmentPreviewed = $derived<string | null>(augment.preview ? (augment.presetName ?? CUSTOM_AUGMENT) : null);

  /** Called when the Train view shows a project: settings and the watched run are per project. */
  async show(dir: string | null): Promise<void> {
    this.#listen();
    if (dir !== this.#projectDir) this.#switchProject(dir);
    await this.refreshAdvice();
    if (augment.presets.length === 0) void augment.loadPresets();
    if (!this.doctor) void this.loadDoctor();
  }

  #switchProject(dir: string | null): void {
    if (this.#projectDir)
      this.#byProject.set(this.#projectDir, { mode: this.mode, params: { ...this.params }, touched: [...this.touched], runId: this.runId });
    this.#projectDir = dir;
    runDetail.show(dir);
    const saved = dir ? this.#byProject.get(dir) : undefined;
    this.mode = saved?.mode ?? 'auto';
    this.params = saved ? { ...saved.params } : emptyParams();
    this.touched = saved ? [...saved.touched] : [];
    this.errors = {};
    this.advice = null;
    this.#resetWatch();
    this.runId = saved?.runId ?? null;
    if (this.runId) void this.#restoreRun(this.runId);
  }

  #resetWatch(): void {
    this.runId = null;
    this.reason = null;
    this.holdout = null;
    this.epochs = [];
    this.progress = null;
    this.status = 'idle';
    this.error = null;
    this.valAccuracy = null;
    this.valCount = null;
    this.epochChosenOnValidation = false;
    this.stopping = false;
    this.stoppedByUser = false;
  }

  /** Back on a project: show its last watched run as it stands now. */
  async #restoreRun(runId: string): Promise<void> {
    try {
      const run = await getApi().invoke('runs.get', { id: runId });
      if (this.runId !== runId) return;
      this.epochs = run.epochs;
      this.status = run.status === 'queued' ? 'starting' : run.status;
      this.error = run.error;
      this.valAccuracy = run.valAccuracy;
      this.valCount = run.valCount ?? null;
      this.epochChosenOnValidation = run.epochChosenOnValidation ?? false;
      this.progress = run.progress ?? null;
      this.stoppedByUser = run.metrics?.stoppedByUser === true;
      if (run.status === 'succeeded') void this.#evaluate(runId);
    } catch {
      this.#resetWatch();
    }
  }

  async refreshAdvice(): Promise<void> {
    try {
      const api = getApi();
      [this.advice, this.backbones] = await Promise.all([api.invoke('train.advice', {}), api.invoke('backbones.list', {})]);
    } catch (error) {
      this.advice = null;
      notices.error(error);
    }
  }

  async loadDoctor(): Promise<void> {
    try {
      this.doctor = await getApi().invoke('system.doctor', {});
    } catch {
      // The Backend list then offers every choice; Settings shows the doctor's own error.
    }
  }

  /** Why a backend cannot run here (doctor's word), or null when it can. */
  backendProblem(name: string): string | null {
    const candidate = this.doctor?.candidates.find((c) => c.name === name);
    // 'skipped' means only that a faster one won: it can still be chosen.
    if (!candidate || (candidate.state !== 'unavailable' && candidate.state !== 'failed')) return null;
    return `${candidate.state}${candidate.reason ? `: ${candidate.reason}` : ''}`;
  }

  readonly backendChoices = BACKEND_CHOICES;

  /** What the field shows: the user's text, or the default the run will use. */
  value(field: TrainField): string {
    if (this.touched.includes(field)) return this.params[field];
    const d = this.defaults;
    switch (field) {
      case 'epochs':
        return d ? String(d.epochs) : '';
      case 'batchSize':
        return d ? String(d.batchSize) : '';
      case 'learningRate':
        return d ? String(d.learningRate) : '';
      case 'seed':
        return String(DEFAULT_SEED);
      case 'augment':
        return this.augmentPreviewed ?? d?.augmentPreset ?? 'none';
      case 'backbone':
        return d?.backbone ?? '';
      case 'from':
        return this.#validParent(this.params.from) ?? this.advice?.finetuneFrom ?? '';
      case 'backend':
        return '';
    }
  }

  set(field: TrainField, text: string): void {
    this.params[field] = text;
    if (!this.touched.includes(field)) this.touched = [...this.touched, field];
    const problem = fieldProblem(field, text);
    const { [field]: _old, ...rest } = this.errors;
    this.errors = problem ? { ...rest, [field]: problem } : rest;
  }

  /** Puts a field back to following the mode's default. */
  reset(field: TrainField): void {
    this.touched = this.touched.filter((f) => f !== field);
    this.params[field] = '';
    const { [field]: _old, ...rest } = this.errors;
    this.errors = rest;
  }

  pick(mode: TrainModeChoice): void {
    this.mode = mode;
  }

  /** A parent run of this project, or null (a run id from another project is never used). */
  #validParent(id: string): string | null {
    return id && runs.list.some((r) => r.id === id && r.status === 'succeeded' && r.mode === 'bottleneck') ? id : null;
  }

  get running(): boolean {
    return this.status === 'starting' || this.status === 'running';
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    const api = getApi();
    api.on('run.epoch', ({ runId, ...epoch }) => {
      if (runId === this.runId) this.epochs = [...this.epochs, epoch];
    });
    api.on('run.progress', ({ runId, ...progress }) => {
      if (runId !== this.runId) return;
      this.progress = progress;
      if (this.status === 'starting') this.status = 'running';
    });
    api.on('run.finished', (event) => {
      if (event.runId !== this.runId) return;
      this.status = event.status === 'queued' || event.status === 'running' ? 'failed' : event.status;
      this.error = event.error;
      this.valAccuracy = event.valAccuracy;
      void this.#loadInterval(event.runId);
      this.stoppedByUser = this.stopping && event.status === 'succeeded';
      this.stopping = false;
      void this.refreshAdvice();
      if (event.status === 'succeeded') void this.#evaluate(event.runId);
    });
  }

  async #loadInterval(runId: string): Promise<void> {
    try {
      const run = await getApi().invoke('runs.get', { id: runId });
      if (this.runId !== runId) return;
      this.valCount = run.valCount ?? null;
      this.epochChosenOnValidation = run.epochChosenOnValidation ?? false;
    } catch {
      // The interval is extra: the accuracy itself is already shown.
    }
  }

  /** The result screen: accuracy, confusion matrix and worst mistakes, evaluated on validation at once. */
  async #evaluate(runId: string): Promise<void> {
    runDetail.select(runId);
    if (runDetail.split !== 'validation') runDetail.setSplit('validation');
    await runDetail.ensureEvaluated();
  }

  /** The request: only what the user changed (the rest is the engine's default, which the fields show). */
  #request(): TrainRequest | null {
    const errors: Partial<Record<TrainField, string>> = {};
    for (const field of this.touched) {
      const problem = fieldProblem(field, this.params[field]);
      if (problem) errors[field] = problem;
    }
    this.errors = errors;
    if (Object.keys(errors).length) return null;
    const touched = (f: TrainField): string | undefined => (this.touched.includes(f) ? this.params[f].trim() : undefined);
    const num = (f: TrainField): number | undefined => {
      const t = touched(f);
      return t === undefined ? undefined : Number(t);
    };
    const augmentChoice = this.value('augment');
    const request: TrainRequest = {
      mode: this.mode,
      epochs: num('epochs'),
      batchSize: num('batchSize'),
      learningRate: num('learningRate'),
      seed: num('seed'),
      backbone: touched('backbone') || undefined,
      backend: touched('backend') || undefined,
    };
    if (augmentChoice === CUSTOM_AUGMENT) request.augment = JSON.stringify($state.snapshot(augment.params));
    else if (this.touched.includes('augment') || this.augmentPreviewed) request.augment = augmentChoice;
    if (this.effectiveMode === 'finetune' && this.mode === 'finetune') request.from = this.value('from') || undefined;
    return request;
  }

  async train(): Promise<void> {
    const request = this.#request();
    if (!request) return;
    this.#resetWatch();
    this.status = 'starting';
    try {
      const started = await getApi().invoke('train.start', request);
      this.runId = started.runId;
      this.reason = started.reason;
      this.holdout = started.holdout?.message ?? null;
      void runs.refresh();
    } catch (error) {
      this.status = 'idle';
      const field = error instanceof ApiError ? this.#fieldOf(error.message) : null;
      if (field) this.errors = { ...this.errors, [field.field]: field.text };
      else {
        this.status = 'failed';
        this.error = error instanceof Error ? error.message : String(error);
      }
    }
  }

  /** "train.start: epochs: Invalid input…" → the epochs field, in words. */
  #fieldOf(message: string): { field: TrainField; text: string } | null {
    const match = /^train\.start: (\w+): /.exec(message);
    const field = match?.[1] as TrainField | undefined;
    if (field && (TRAIN_FIELDS as readonly string[]).includes(field))
      return { field, text: fieldProblem(field, '') ?? 'This value cannot be used' };
    if (/augmentation preset|--augment/.test(message)) return { field: 'augment', text: message.replace(/^train\.start: /, '') };
    if (/backbone/.test(message) && this.touched.includes('backbone')) return { field: 'backbone', text: message };
    return null;
  }

  /** keepBest: stop after this epoch and keep the best weights so far as the run's model. */
  async cancel(keepBest = false): Promise<void> {
    if (!this.runId) return;
    try {
      await getApi().invoke('runs.cancel', { id: this.runId, keepBest });
      if (keepBest) this.stopping = true;
    } catch (error) {
      notices.error(error);
    }
  }
}

export const train = new TrainManager();
