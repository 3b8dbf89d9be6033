import type { Better, Target, Unit } from './stats';

export const SECTIONS = {
  import: 'Import',
  thumbnails: 'Thumbnails',
  augment: 'Augmentation preview',
  features: 'Feature extraction',
  scratch: 'Scratch CNN',
  bottleneck: 'Bottleneck (pooled features + head)',
  finetune: 'Fine-tune (top block unfrozen)',
  auto: 'Import → auto model, end to end',
  doctor: '`lds doctor --bench`',
  engine: 'CPU engine on synthetic batches (bench/cpu-engine.ts)',
  forward: 'Forward engine: ONNX Runtime against TF.js (features, fine-tune, evaluation)',
  labelIssues: 'Label issues (confident learning, 5% of train labels flipped)',
  map: 'Dataset map (`lds map`: PCA + seeded UMAP of the cached features)',
} as const;
export type SectionId = keyof typeof SECTIONS;

export interface PeerFigure {
  value: number | null;
  /** What the peer measured, when it differs in scope from ours (e.g. "decode excluded"). */
  note?: string;
  reason?: string;
}

export interface Figure {
  id: string;
  section: SectionId;
  label: string;
  unit: Unit;
  better: Better;
  value: number | null;
  /** Why there is no value: the command is missing, failed, or the product does not report it. */
  reason?: string;
  /** How it was measured, in a few words. */
  detail?: string;
  target?: Target;
  /** Targets that the issues set for the full benchmark only (e.g. 50-epoch accuracy). */
  targetFullOnly?: boolean;
  peer?: PeerFigure;
}

export type FigureSpec = Omit<Figure, 'value' | 'section' | 'id'>;

/**
 * Every figure the bench reports is declared up front, so one that could not be measured still shows
 * in the report, with the reason, instead of silently disappearing.
 */
export class FigureBook {
  readonly #figures = new Map<string, Figure>();

  define(section: SectionId, id: string, spec: FigureSpec): void {
    this.#figures.set(id, { id, section, value: null, reason: PENDING, ...spec });
  }

  get(id: string): Figure {
    const figure = this.#figures.get(id);
    if (!figure) throw new Error(`bench: figure "${id}" was never defined`);
    return figure;
  }

  value(id: string): number | null {
    return this.get(id).value;
  }

  set(id: string, value: number | null | undefined, detail?: string): void {
    const figure = this.get(id);
    if (value == null || !Number.isFinite(value)) {
      figure.value = null;
      if (figure.reason == null || figure.reason === PENDING) figure.reason = 'the command did not report it';
    } else {
      figure.value = value;
      delete figure.reason;
    }
    if (detail) figure.detail = detail;
  }

  fail(id: string, reason: string): void {
    const figure = this.get(id);
    figure.value = null;
    figure.reason = reason;
  }

  setPeer(id: string, peer: PeerFigure): void {
    this.get(id).peer = peer;
  }

  /** After a stage stops early: every figure it had not measured gets the stage's reason. */
  failUnmeasured(section: SectionId, reason: string): void {
    for (const figure of this.#figures.values()) {
      if (figure.section === section && figure.value == null && (figure.reason == null || figure.reason === PENDING)) {
        figure.reason = reason;
      }
    }
  }

  all(): Figure[] {
    return [...this.#figures.values()];
  }
}

export const PENDING = 'not measured';
