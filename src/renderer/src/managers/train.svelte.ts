import type { BackboneInfo, EventPayload, ModeAdvice, RunEpoch, TrainModeChoice } from '@shared/contract';
import { getApi } from '../lib/api';
import { notices } from './notices.svelte';
import { runs } from './runs.svelte';

export type RunProgress = Omit<EventPayload<'run.progress'>, 'runId'>;

/** Advanced parameters; empty means "the mode's default". */
export interface TrainParams {
  epochs: string;
  batchSize: string;
  learningRate: string;
  seed: string;
  augment: string;
  backbone: string;
  from: string;
  backend: string;
}

const EMPTY_PARAMS: TrainParams = { epochs: '', batchSize: '', learningRate: '', seed: '', augment: '', backbone: '', from: '', backend: '' };

/**
 * The Train view's state: the recommendation for this dataset, the chosen mode and parameters, and
 * the run being watched (its curves grow from run.epoch events, its bar from run.progress).
 */
class TrainManager {
  advice = $state.raw<ModeAdvice | null>(null);
  backbones = $state.raw<BackboneInfo[]>([]);
  mode = $state<TrainModeChoice>('auto');
  params = $state<TrainParams>({ ...EMPTY_PARAMS });
  runId = $state<string | null>(null);
  reason = $state<string | null>(null);
  /** Set when the catalogue has no validation images and the run measures accuracy on part of train. */
  holdout = $state<string | null>(null);
  epochs = $state.raw<RunEpoch[]>([]);
  progress = $state.raw<RunProgress | null>(null);
  status = $state<'idle' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'>('idle');
  error = $state<string | null>(null);
  valAccuracy = $state<number | null>(null);
  #listening = false;

  async start(): Promise<void> {
    this.#listen();
    await this.refreshAdvice();
  }

  async refreshAdvice(): Promise<void> {
    try {
      const api = getApi();
      [this.advice, this.backbones] = await Promise.all([api.invoke('train.advice', {}), api.invoke('backbones.list', {})]);
      if (this.advice.finetuneFrom && !this.params.from) this.params.from = this.advice.finetuneFrom;
    } catch (error) {
      this.advice = null;
      notices.error(error);
    }
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    const api = getApi();
    api.on('run.epoch', ({ runId, ...epoch }) => {
      if (runId === this.runId) this.epochs = [...this.epochs, epoch];
      // The runs table under the charts shows status and epochs; keep it in step with the run.
      void runs.refresh();
    });
    api.on('run.progress', ({ runId, ...progress }) => {
      if (runId !== this.runId) return;
      this.progress = progress;
      if (this.status === 'starting') this.status = 'running';
    });
    api.on('run.finished', (event) => {
      void runs.refresh();
      if (event.runId !== this.runId) return;
      this.status = event.status === 'queued' || event.status === 'running' ? 'failed' : event.status;
      this.error = event.error;
      this.valAccuracy = event.valAccuracy;
      void this.refreshAdvice();
    });
  }

  get running(): boolean {
    return this.status === 'starting' || this.status === 'running';
  }

  async train(): Promise<void> {
    const p = this.params;
    const num = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
    this.epochs = [];
    this.progress = null;
    this.error = null;
    this.valAccuracy = null;
    this.holdout = null;
    this.status = 'starting';
    try {
      const started = await getApi().invoke('train.start', {
        mode: this.mode,
        epochs: num(p.epochs),
        batchSize: num(p.batchSize),
        learningRate: num(p.learningRate),
        seed: num(p.seed),
        augment: p.augment || undefined,
        backbone: p.backbone || undefined,
        from: this.mode === 'finetune' ? p.from || undefined : undefined,
        backend: p.backend || undefined,
      });
      this.runId = started.runId;
      this.reason = started.reason;
      this.holdout = started.holdout?.message ?? null;
      void runs.refresh();
    } catch (error) {
      this.status = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      notices.error(error);
    }
  }

  async cancel(): Promise<void> {
    if (!this.runId) return;
    try {
      await getApi().invoke('runs.cancel', { id: this.runId });
    } catch (error) {
      notices.error(error);
    }
  }
}

export const train = new TrainManager();
