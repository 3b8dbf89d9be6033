import {
  augmentParamsSchema,
  describeIssues,
  type AugmentParams,
  type AugmentPreset,
  type AugmentPreviewResult,
  type ImageItem,
} from '@shared/contract';
import { untrack } from 'svelte';
import { getApi } from '../lib/api';
import { plural } from '../lib/format';
import { library } from './library.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';

/** How many sample images the grid shows at most (one per class when nothing is selected). */
export const MAX_SAMPLES = 4;
export const DEFAULT_MODEL_SIZE = 224;
/**
 * Keyboard steps and typed values within this window become one preview request. A pointer drag
 * is not debounced: its release asks for the full set at once.
 */
export const DEBOUNCE_MS = 80;
/** While a slider is dragged, each sample's first variants follow it (the rest when it is let go). */
export const DRAFT_VARIANTS = 3;
/** At most one draft per this many ms during a drag, and never two in flight. */
export const DRAFT_INTERVAL_MS = 100;
/** The engine drops an earlier request of this view's when a later one arrives. */
const SUPERSEDE_KEY = `augment-view-${Math.random().toString(36).slice(2, 10)}`;

/** What the view keeps per project, as Train keeps its settings: switching back finds it as it was. */
interface ProjectAugmentState {
  presetName: string | null;
  params: AugmentParams;
  seed: number;
  n: number;
  sourceResolution: boolean;
  modelSize: number;
  sampleIds: number[];
  sampleOrigin: AugmentManager['sampleOrigin'];
  sampleNote: string;
  sampleInfo: Map<number, SampleInfo>;
  selectionOffset: number;
  preview: AugmentPreviewResult | null;
  shownParams: AugmentParams | null;
  latencyMs: number | null;
  fieldErrors: Partial<Record<keyof AugmentParams, string>>;
}

type RequestKind = 'draft' | 'full';

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
  /** Full preview requests sent to the engine; a drag sends one when it is let go, not one per move. */
  requestsSent = $state(0);
  /** Drafts (each sample's first DRAFT_VARIANTS variants) sent while a slider was dragged. */
  draftsSent = $state(0);
  /** A preview request is waiting for its debounce or draft slot. */
  queued = $state(false);
  /** The grid shows a drag's draft: only each sample's first `freshVariants` tiles follow the parameters. */
  draft = $state(false);
  /** The pictures do not show the parameters as they stand (an update is coming, or a field is invalid). */
  readonly stale = $derived(this.queued || this.loading || this.draft || Object.keys(this.fieldErrors).length > 0);
  /** How many leading variants of each sample show the newest parameters drawn (the rest are dimmed). */
  readonly freshVariants = $derived(this.draft ? DRAFT_VARIANTS : this.stale ? 0 : this.n);

  readonly currentPreset = $derived(this.presets.find((p) => p.name === this.presetName) ?? null);

  #sequence = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerKind: RequestKind | null = null;
  /** Requests in flight (a full one never waits for a draft: the engine drops the overtaken one). */
  #inFlight = 0;
  #draftInFlight = false;
  #lastDraftAt = 0;
  #projectDir: string | null = null;
  #started = false;
  readonly #byProject = new Map<string, ProjectAugmentState>();

  constructor() {
    // Samples, parameters and pictures belong to one project: switching keeps each project's own.
    $effect.root(() => {
      $effect(() => {
        const dir = project.project?.dir ?? null;
        untrack(() => this.#switchProject(dir));
      });
    });
  }

  /** The view shows: the first time in a project, load its presets and pick samples. */
  async show(): Promise<void> {
    this.#switchProject(project.project?.dir ?? null);
    if (this.#started || !project.project) return;
    this.#started = true;
    await this.loadPresets();
    if (this.currentPreset) this.params = structuredClone(this.currentPreset.params);
    await this.pickSamples();
  }

  #switchProject(dir: string | null): void {
    if (dir === this.#projectDir) return;
    if (this.#projectDir !== null) this.#byProject.set(this.#projectDir, this.#snapshot());
    this.#projectDir = dir;
    // Whatever was in flight or queued belongs to the other project's pictures.
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerKind = null;
    this.#sequence++;
    this.queued = false;
    this.loading = false;
    this.draft = false;
    this.problem = null;
    const saved = dir === null ? undefined : this.#byProject.get(dir);
    this.#restore(saved ?? defaultState());
    this.#started = saved !== undefined;
    // User presets live in the project: the other project's list is not this one's.
    this.presets = [];
    if (dir !== null) void this.loadPresets();
  }

  #snapshot(): ProjectAugmentState {
    return {
      presetName: this.presetName,
      params: $state.snapshot(this.params) as AugmentParams,
      seed: this.seed,
      n: this.n,
      sourceResolution: this.sourceResolution,
      modelSize: this.modelSize,
      sampleIds: this.sampleIds,
      sampleOrigin: this.sampleOrigin,
      sampleNote: this.sampleNote,
      sampleInfo: this.sampleInfo,
      selectionOffset: this.#selectionOffset,
      // A draft on screen is not a finished preview: keep the last full one's state.
      preview: this.preview,
      shownParams: this.shownParams,
      latencyMs: this.latencyMs,
      fieldErrors: this.fieldErrors,
    };
  }

  #restore(state: ProjectAugmentState): void {
    this.presetName = state.presetName;
    this.params = state.params;
    this.seed = state.seed;
    this.n = state.n;
    this.sourceResolution = state.sourceResolution;
    this.modelSize = state.modelSize;
    this.sampleIds = state.sampleIds;
    this.sampleOrigin = state.sampleOrigin;
    this.sampleNote = state.sampleNote;
    this.sampleInfo = state.sampleInfo;
    this.#selectionOffset = state.selectionOffset;
    this.preview = state.preview;
    this.shownParams = state.shownParams;
    this.latencyMs = state.latencyMs;
    this.fieldErrors = state.fieldErrors;
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

  /**
   * Every edit goes through here: validated like the engine will, then a preview. `moving`: a slider
   * is being dragged, so only a draft goes out now; the release (moving false) asks for the full set at once.
   */
  update(patch: Partial<AugmentParams>, moving = false): void {
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
    if (moving) this.#draftSoon();
    else this.refresh(this.#dragged ? 0 : DEBOUNCE_MS);
    this.#dragged = moving;
  }

  /** The last edit came from a drag: the one that ends it (the release) goes out without a debounce. */
  #dragged = false;

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
    const dir = this.#projectDir;
    let images: ImageItem[];
    try {
      images = await getApi().invoke('library.list', {});
    } catch (error) {
      notices.error(error);
      return;
    }
    // Another project opened meanwhile: these images are not its samples.
    if (dir !== this.#projectDir) return;
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

  /** A full preview after `delay` ms (later edits restart the wait); it overtakes any draft. */
  refresh(delay = DEBOUNCE_MS): void {
    this.#schedule('full', delay);
  }

  /** A drag moved: a draft in the next free slot (one in flight at most, DRAFT_INTERVAL_MS apart). */
  #draftSoon(): void {
    if (this.#timerKind === 'full') return;
    if (this.#draftInFlight) {
      this.queued = true;
      this.#draftWaiting = true;
      return;
    }
    const wait = Math.max(0, this.#lastDraftAt + DRAFT_INTERVAL_MS - performance.now());
    if (this.#timerKind === 'draft') return;
    this.#schedule('draft', wait);
  }

  /** A drag moved while a draft was in flight: the newest parameters go out when it returns. */
  #draftWaiting = false;

  #schedule(kind: RequestKind, delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (kind === 'full') this.#draftWaiting = false;
    this.queued = true;
    this.#timerKind = kind;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerKind = null;
      void this.#fetch(kind);
    }, delay);
  }

  /**
   * Requests go out at once, each under this view's supersede key: the engine stops an overtaken
   * request at its next step, and its answer (or refusal) is not drawn here. A full answer replaces
   * the grid; a draft answer replaces each sample's first variants and leaves the rest dimmed.
   */
  async #fetch(kind: RequestKind): Promise<void> {
    this.queued = this.#timer !== null;
    if (!this.sampleIds.length) {
      this.preview = null;
      this.draft = false;
      return;
    }
    const sequence = ++this.#sequence;
    const started = performance.now();
    const dir = this.#projectDir;
    this.loading = true;
    this.#inFlight++;
    if (kind === 'draft') {
      this.#draftInFlight = true;
      this.#lastDraftAt = started;
      this.draftsSent++;
    } else {
      this.requestsSent++;
    }
    const params = $state.snapshot(this.params) as AugmentParams;
    const n = kind === 'draft' ? Math.min(DRAFT_VARIANTS, this.n) : this.n;
    try {
      const result = await getApi().invoke('augment.preview', {
        imageIds: this.sampleIds,
        n,
        params,
        seed: this.seed,
        size: this.sourceResolution ? 'source' : this.modelSize,
        format: 'jpeg',
        supersede: SUPERSEDE_KEY,
      });
      if (sequence !== this.#sequence || dir !== this.#projectDir) return;
      if (kind === 'full') {
        this.preview = result;
        this.shownParams = params;
        this.draft = false;
        this.latencyMs = performance.now() - started;
      } else {
        this.preview = mergeDraft(this.preview, result);
        this.draft = true;
      }
    } catch (error) {
      if (sequence === this.#sequence && dir === this.#projectDir) notices.error(error);
    } finally {
      this.#inFlight--;
      if (kind === 'draft') this.#draftInFlight = false;
      if (dir === this.#projectDir) {
        if (this.#inFlight === 0) this.loading = false;
        if (kind === 'draft' && this.#draftWaiting) {
          this.#draftWaiting = false;
          this.#draftSoon();
        }
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

function defaultState(): ProjectAugmentState {
  return {
    presetName: 'keras-blog',
    params: augmentParamsSchema.parse({}),
    seed: 1,
    n: 9,
    sourceResolution: false,
    modelSize: DEFAULT_MODEL_SIZE,
    sampleIds: [],
    sampleOrigin: 'none',
    sampleNote: '',
    sampleInfo: new Map(),
    selectionOffset: 0,
    preview: null,
    shownParams: null,
    latencyMs: null,
    fieldErrors: {},
  };
}

/**
 * A drag's draft over the preview on screen: each sample's first variants (and original) from the
 * draft, the rest kept from before (dimmed by the grid until the full set lands).
 */
export function mergeDraft(shown: AugmentPreviewResult | null, draft: AugmentPreviewResult): AugmentPreviewResult {
  if (!shown) return draft;
  return {
    ...draft,
    images: draft.images.map((image) => {
      const old = shown.images.find((o) => o.imageId === image.imageId);
      if (!old || old.width !== image.width || old.height !== image.height) return image;
      return { ...image, variants: [...image.variants, ...old.variants.slice(image.variants.length)] };
    }),
  };
}

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
