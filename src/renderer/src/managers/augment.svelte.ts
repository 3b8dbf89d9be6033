import {
  augmentParamsSchema,
  describeIssues,
  type AugmentParams,
  type AugmentPreset,
  type AugmentPreviewResult,
} from '@shared/contract';
import { getApi } from '../lib/api';
import { library } from './library.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';

/** How many sample images the grid shows at most (one per class when nothing is selected). */
export const MAX_SAMPLES = 4;
export const DEFAULT_MODEL_SIZE = 224;
/** Slider moves within this window become one preview request. */
const DEBOUNCE_MS = 120;

/**
 * The Augment view's state: the parameters being edited (from a preset or by hand), the sample
 * images, the seed, and the latest preview from the engine — which runs the very function training
 * calls, so the grid is what the model will see.
 */
class AugmentManager {
  presets = $state.raw<AugmentPreset[]>([]);
  /** The preset the parameters came from; null once they are edited by hand. */
  presetName = $state<string | null>('keras-blog');
  params = $state<AugmentParams>(augmentParamsSchema.parse({}));
  seed = $state(1);
  n = $state(9);
  sourceResolution = $state(false);
  modelSize = $state(DEFAULT_MODEL_SIZE);
  sampleIds = $state.raw<number[]>([]);
  /** Where the samples came from, said next to the grid. */
  sampleOrigin = $state<'selection' | 'random per class' | 'none'>('none');

  preview = $state.raw<AugmentPreviewResult | null>(null);
  loading = $state(false);
  /** Round trip of the last preview (request → pictures), and the engine's augmentation time. */
  latencyMs = $state<number | null>(null);
  problem = $state<string | null>(null);

  readonly currentPreset = $derived(this.presets.find((p) => p.name === this.presetName) ?? null);

  #sequence = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  async start(): Promise<void> {
    await this.loadPresets();
    if (this.currentPreset) this.params = structuredClone(this.currentPreset.params);
    await this.pickSamples();
  }

  async loadPresets(): Promise<void> {
    try {
      this.presets = await getApi().invoke('augment.presets', {});
    } catch (error) {
      notices.error(error);
    }
  }

  choosePreset(name: string): void {
    const preset = this.presets.find((p) => p.name === name);
    if (!preset) return;
    this.presetName = name;
    this.params = structuredClone(preset.params);
    this.refresh(0);
  }

  /** Every edit goes through here: validated like the engine will, then a debounced preview. */
  update(patch: Partial<AugmentParams>): void {
    const next = { ...$state.snapshot(this.params), ...patch } as AugmentParams;
    const parsed = augmentParamsSchema.safeParse(next);
    if (!parsed.success) {
      this.problem = describeIssues(parsed.error);
      return;
    }
    this.problem = null;
    this.params = parsed.data;
    this.presetName = null;
    this.refresh();
  }

  reseed(): void {
    this.seed = (Math.floor(Math.random() * 2 ** 31) + 1) >>> 0;
    this.refresh(0);
  }

  setSourceResolution(on: boolean): void {
    this.sourceResolution = on;
    this.refresh(0);
  }

  /** The library selection if there is one, else one random image per class (or any images). */
  async pickSamples(): Promise<void> {
    if (!project.project) return;
    const selected = [...library.selection].slice(0, MAX_SAMPLES);
    if (selected.length) {
      this.sampleIds = selected;
      this.sampleOrigin = 'selection';
    } else {
      try {
        const images = (await getApi().invoke('library.list', {})).filter((i) => i.status === 'ok');
        // Keyed by class id (unlabelled last): a local lookup, not reactive state.
        const byClass: Record<string, number[]> = {};
        for (const image of images) (byClass[String(image.classId ?? Infinity)] ??= []).push(image.id);
        // Round-robin over the classes, a random image from each in turn, so a two-class project
        // still shows MAX_SAMPLES pictures and every class is represented.
        const pools = Object.entries(byClass)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, ids]) => ids);
        const picks: number[] = [];
        while (picks.length < MAX_SAMPLES && pools.some((p) => p.length)) {
          for (const pool of pools) {
            if (!pool.length || picks.length >= MAX_SAMPLES) continue;
            picks.push(pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!);
          }
        }
        this.sampleIds = picks;
        this.sampleOrigin = picks.length ? 'random per class' : 'none';
      } catch (error) {
        notices.error(error);
        return;
      }
    }
    this.refresh(0);
  }

  refresh(delay = DEBOUNCE_MS): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#fetch();
    }, delay);
  }

  async #fetch(): Promise<void> {
    if (!this.sampleIds.length) {
      this.preview = null;
      return;
    }
    const sequence = ++this.#sequence;
    const started = performance.now();
    this.loading = true;
    try {
      const result = await getApi().invoke('augment.preview', {
        imageIds: this.sampleIds,
        n: this.n,
        params: $state.snapshot(this.params) as AugmentParams,
        seed: this.seed,
        size: this.sourceResolution ? 'source' : this.modelSize,
      });
      // A newer request went out while this one ran: its answer wins.
      if (sequence !== this.#sequence) return;
      this.preview = result;
      this.latencyMs = performance.now() - started;
    } catch (error) {
      if (sequence === this.#sequence) notices.error(error);
    } finally {
      if (sequence === this.#sequence) this.loading = false;
    }
  }

  async savePreset(name: string): Promise<void> {
    await this.#presetAction(async (api) => {
      const saved = await api.invoke('augment.savePreset', { name, params: $state.snapshot(this.params) as AugmentParams });
      return saved.name;
    }, `Saved preset "${name}"`);
  }

  async renamePreset(from: string, to: string): Promise<void> {
    await this.#presetAction(async (api) => (await api.invoke('augment.renamePreset', { from, to })).name, `Renamed "${from}" to "${to}"`);
  }

  async duplicatePreset(from: string, to: string): Promise<void> {
    await this.#presetAction(async (api) => (await api.invoke('augment.duplicatePreset', { from, to })).name, `Duplicated "${from}" as "${to}"`);
  }

  async deletePreset(name: string): Promise<void> {
    await this.#presetAction(async (api) => {
      await api.invoke('augment.deletePreset', { name });
      return null;
    }, `Deleted preset "${name}"`);
  }

  /** `run` answers the preset to select afterwards; null keeps the parameters as they are, unnamed. */
  async #presetAction(run: (api: ReturnType<typeof getApi>) => Promise<string | null>, done: string): Promise<void> {
    try {
      const selected = await run(getApi());
      await this.loadPresets();
      if (selected === null) this.presetName = null;
      else this.choosePreset(selected);
      notices.show(done);
    } catch (error) {
      notices.error(error);
    }
  }
}

export const augment = new AugmentManager();
