import type { ModeAdvice } from '@shared/contract/training';
import { accuracyInterval } from '@shared/wilson';

export interface DataFacts {
  /** Training images per class (smallest class counts: it limits what the model learns). */
  trainPerClass: number[];
  backboneAvailable: boolean;
  /** Newest finished bottleneck run with the same classes, if any. */
  finishedBottleneck: string | null;
  /** Whether the newest auto run counted this dataset as large (hysteresis: a few removed images do not flip it). */
  largeBefore?: boolean;
  /** A finished fine-tune of that bottleneck run, with both validation accuracies and the images they were measured on. */
  finishedFinetune?: { id: string; valAccuracy: number; parentValAccuracy: number; valCount: number } | null;
}

/** Whether b's accuracy lies inside the 95% Wilson interval of a's on n images: too close to call. */
export function withinInterval(a: number, b: number, n: number): boolean {
  const [low, high] = accuracyInterval(a, n);
  return b >= low && b <= high;
}

/** Above this many training images per class, fine-tuning's extra cost pays off (CS231n: large + similar). */
export const LARGE_PER_CLASS = 1000;
/** Once counted large, the data stays large down to this many (10% below), so deleting a few images does not flip the advice. */
export const KEEP_LARGE_PER_CLASS = 900;

/** Whether the smallest class is large enough for fine-tuning, with hysteresis around LARGE_PER_CLASS. */
export function isLargeData(smallest: number, largeBefore = false): boolean {
  return smallest >= LARGE_PER_CLASS || (largeBefore && smallest >= KEEP_LARGE_PER_CLASS);
}

/**
 * The one-click default (CS231n transfer-learning notes): small + similar data → bottleneck; large →
 * fine-tune (from a trained head, so after a bottleneck run); no backbone → scratch.
 */
export function adviseMode(facts: DataFacts): ModeAdvice {
  const smallest = facts.trainPerClass.length ? Math.min(...facts.trainPerClass) : 0;
  const large = isLargeData(smallest, facts.largeBefore);
  // Said with every advice, so a user near the line knows where it is and why it does not flip.
  const threshold =
    smallest >= LARGE_PER_CLASS
      ? `fine-tuning pays off from ${LARGE_PER_CLASS} per class`
      : large
        ? `still counted as large: once past ${LARGE_PER_CLASS} per class it stays large down to ${KEEP_LARGE_PER_CLASS}`
        : `fine-tuning pays off from ${LARGE_PER_CLASS} per class`;
  let recommended: ModeAdvice['recommended'];
  let reason: string;
  if (!facts.backboneAvailable) {
    recommended = 'scratch';
    reason = 'no pretrained backbone is installed, so a small CNN is trained from scratch with augmentation';
  } else if (
    large &&
    facts.finishedBottleneck &&
    facts.finishedFinetune &&
    withinInterval(facts.finishedFinetune.parentValAccuracy, facts.finishedFinetune.valAccuracy, facts.finishedFinetune.valCount)
  ) {
    // Fine-tuning costs far more per epoch; a gain the validation split cannot tell from noise is not worth it.
    const f = facts.finishedFinetune;
    const [low, high] = accuracyInterval(f.parentValAccuracy, f.valCount);
    recommended = 'bottleneck';
    reason = `fine-tune run ${f.id} scored ${f.valAccuracy.toFixed(3)} against the bottleneck's ${f.parentValAccuracy.toFixed(3)}, inside its 95% interval (${low.toFixed(2)}–${high.toFixed(2)}, n=${f.valCount}): the simpler bottleneck recipe is as good as these images can tell`;
  } else if (large && facts.finishedBottleneck) {
    recommended = 'finetune';
    reason = `${smallest} training images per class (${threshold}) is enough to adapt the backbone's top block; fine-tuning starts from the trained head of run ${facts.finishedBottleneck}`;
  } else if (large) {
    recommended = 'bottleneck';
    reason = `${smallest} training images per class (${threshold}) would support fine-tuning, which needs a trained head first: this bottleneck run gives it (run auto again to fine-tune)`;
  } else {
    recommended = 'bottleneck';
    reason = `${smallest} training images per class is small data (${threshold}): features from the pretrained backbone plus a small head learn the most from it and train in seconds`;
  }
  return {
    recommended,
    reason,
    large,
    imagesPerClass: smallest,
    backboneAvailable: facts.backboneAvailable,
    finetuneFrom: facts.finishedBottleneck,
    modes: [
      {
        mode: 'scratch',
        fits: 'No pretrained knowledge: thousands of images, or pictures unlike photos (e.g. spectrograms).',
        available: true,
        why: null,
      },
      {
        mode: 'bottleneck',
        fits: 'Few images of everyday things: pretrained features, a small head, seconds per epoch.',
        available: facts.backboneAvailable,
        why: facts.backboneAvailable ? null : 'no backbone installed',
      },
      {
        mode: 'finetune',
        fits: 'After a bottleneck run, with more data: adapts the backbone’s top block for the last few points.',
        available: facts.backboneAvailable && facts.finishedBottleneck !== null,
        why: !facts.backboneAvailable
          ? 'no backbone installed'
          : facts.finishedBottleneck
            ? null
            : 'needs a finished bottleneck run (its trained head)',
      },
      { mode: 'auto', fits: `Picks for you: ${recommended} for this dataset.`, available: true, why: null },
    ],
  };
}
