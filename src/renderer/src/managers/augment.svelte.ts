import {
  augmentParamsSchema,
  describeIssues,
  type AugmentParams,
  type AugmentPreset,
  type AugmentPreviewResult,
  type ImageItem,
} from '@shared/contract';
import { getApi } from '../lib/api';
import { plural } from '../lib/format';
import { library } from './library.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';

/** How many sample images the grid shows at most (one per class when nothing is selected). */
export const MAX_SAMPLES = 4;
export const DEFAULT_MODEL_SIZE = 224;
/**
 * Slider moves within this window become one preview request: short enough that the preview lands
 * within ~300 ms of the pointer stopping, long enough that a drag sends nothing until it pauses.
 */
export const DEBOUNCE_MS = 80;

/** A picture being previewed, as its title names it. */
export interface SampleInfo {
  name: string;
  className: string | null;
}

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
  /** Which images those are, in words ("selected images 5–8 of 10 in the Library"). */
  sampleNote = $state('');
  /** File name and class of each sample, for the titles above the grid. */
  sampleInfo = $state.raw<Map<number, SampleInfo>>(new Map());
  /** Where in the Library selection the samples start ("New samples" steps through it). */
  #selectionOffset = 0;

  preview = $state.raw<AugmentPreviewResult | null>(null);
  /** The parameters the pictures on screen were drawn with. */
  shownParams = $state.raw<AugmentParams | null>(null);
  loading = $state(false);
  /** Round trip of the last preview (request → pictures), and the engine's augmentation time. */
  latencyMs = $state<number | null>(null);
  problem = $state<string | null>(null);
  /** Per parameter, why the value typed into its field was refused (shown at that field). */
  fieldErrors = $state.raw<Partial<Record<keyof AugmentParams, string>>>({});
  /** Preview requests sent to the engine; a drag that pauses once sends one, not one per pixel. */
  requestsSent = $state(0);
  /** A preview request is waiting for the debounce or for the one in flight. */
  queued = $state(false);
  /** The pictures do not show the parameters as they stand (an update is coming, or a field is invalid). */
  readonly stale = $derived(this.queued || this.loading || Object.keys(this.fieldErrors).length > 0);

  readonly currentPreset = $derived(this.presets.find((p) => p.name === this.presetName) ?? null);

  #sequence = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight = false;
  /** A newer request arrived while one was in flight: only the latest parameters go out after it. */
  #again = false;

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
    this.fieldErrors = {};
    this.problem = null;
    this.refresh(0);
  }

  /** Every edit goes through here: validated like the engine will, then a debounced preview. */
  update(patch: Partial<AugmentParams>): void {
    const next = { ...$state.snapshot(this.params), ...patch } as AugmentParams;
    const parsed = augmentParamsSchema.safeParse(next);
    const errors = { ...this.fieldErrors };
    for (const key of Object.keys(patch) as (keyof AugmentParams)[]) delete errors[key];
    if (!parsed.success) {
      // Said at the field that was typed into; the slider and pictures keep the last valid value.
      const unplaced: string[] = [];
      for (const issue of parsed.error.issues) {
        const key = issue.path[0] as keyof AugmentParams | undefined;
        if (key !== undefined && key in patch) errors[key] ??= issue.message;
        else unplaced.push(issue.message);
      }
      this.fieldErrors = errors;
      this.problem = unplaced.length ? describeIssues(parsed.error) : null;
      return;
    }
    this.fieldErrors = errors;
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

  /**
   * The Library selection if there is one, else one random image per class (or any images). With
   * `next` ("New samples", N) it steps on: through the selection MAX_SAMPLES at a time, and when the
   * selection fits in one screen, to random images and back, so the button always changes something.
   */
  async pickSamples(next = false): Promise<void> {
    if (!project.project) return;
    let images: ImageItem[];
    try {
      images = await getApi().invoke('library.list', {});
    } catch (error) {
      notices.error(error);
      return;
    }
    const byId = new Map(images.map((image) => [image.id, image]));
    const selection = [...library.selection].filter((id) => byId.get(id)?.status === 'ok');
    const showingSelection = this.sampleOrigin === 'selection';
    let useSelection = selection.length > 0;
    if (next && useSelection) {
      if (selection.length > MAX_SAMPLES) this.#selectionOffset = showingSelection ? nextChunk(this.#selectionOffset, selection.length) : 0;
      else useSelection = !showingSelection;
    } else {
      this.#selectionOffset = 0;
    }
    let picks: number[];
    if (useSelection) {
      const from = this.#selectionOffset;
      picks = selection.slice(from, from + MAX_SAMPLES);
      this.sampleOrigin = 'selection';
      this.sampleNote =
        selection.length <= MAX_SAMPLES
          ? `the ${plural(selection.length, 'image')} selected in the Library`
          : `selected images ${from + 1}–${from + picks.length} of ${selection.length} in the Library`;
    } else {
      picks = randomPerClass(images.filter((i) => i.status === 'ok'));
      this.sampleOrigin = picks.length ? 'random per class' : 'none';
      this.sampleNote = !picks.length
        ? ''
        : selection.length
          ? `random images, one per class in turn (New samples again returns to the ${plural(selection.length, 'selected image')})`
          : 'random images, one per class in turn';
    }
    const classes = new Map(library.classes.map((c) => [c.id, c.name]));
    this.sampleInfo = new Map(
      picks.map((id) => {
        const image = byId.get(id);
        return [
          id,
          { name: image?.name ?? `image ${id}`, className: image?.classId != null ? (classes.get(image.classId) ?? null) : null },
        ];
      }),
    );
    this.sampleIds = picks;
    this.refresh(0);
  }

  refresh(delay = DEBOUNCE_MS): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.queued = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#fetch();
    }, delay);
  }

  /**
   * One request in flight at a time: the engine works through requests in order, so sending every
   * pause of a drag would queue stale work ahead of the one that matters. A request asked for while
   * one runs goes out when it returns, with the parameters as they are then; the answer to a request
   * overtaken that way is dropped, not drawn.
   */
  async #fetch(): Promise<void> {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.queued = false;
    if (!this.sampleIds.length) {
      this.preview = null;
      return;
    }
    const sequence = ++this.#sequence;
    const started = performance.now();
    this.loading = true;
    this.#inFlight = true;
    this.requestsSent++;
    const params = $state.snapshot(this.params) as AugmentParams;
    try {
      const result = await getApi().invoke('augment.preview', {
        imageIds: this.sampleIds,
        n: this.n,
        params,
        seed: this.seed,
        size: this.sourceResolution ? 'source' : this.modelSize,
      });
      if (sequence !== this.#sequence || this.#again) return;
      this.preview = result;
      this.shownParams = params;
      this.latencyMs = performance.now() - started;
    } catch (error) {
      if (sequence === this.#sequence && !this.#again) notices.error(error);
    } finally {
      this.#inFlight = false;
      if (this.#again) {
        this.#again = false;
        void this.#fetch();
      } else if (sequence === this.#sequence) {
        this.loading = false;
      }
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
    await this.#presetAction(
      async (api) => (await api.invoke('augment.duplicatePreset', { from, to })).name,
      `Duplicated "${from}" as "${to}"`,
    );
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

/** Round-robin over the classes (unlabelled last), a random image from each in turn, so a two-class
 * project still shows MAX_SAMPLES pictures and every class is represented. */
function randomPerClass(images: readonly ImageItem[]): number[] {
  // Keyed by class id: a local lookup, not reactive state.
  const byClass: Record<string, number[]> = {};
  for (const image of images) (byClass[String(image.classId ?? Infinity)] ??= []).push(image.id);
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
  return picks;
}

/** The start of the next MAX_SAMPLES images of a selection, back to 0 after the last (partial) chunk. */
function nextChunk(offset: number, length: number): number {
  return offset + MAX_SAMPLES >= length ? 0 : offset + MAX_SAMPLES;
}
