import type { FigureBook } from './figures';
import type { PeerOutcome, PeerResult } from './peer';
import type { Better } from './stats';
import { formatNumber } from './stats';

type Pick = (p: PeerResult) => number | null | undefined;

/**
 * The peer's figure for one of ours: at the same thread count, or at one thread when that is faster
 * (a shared machine punishes OpenMP's spinning threads); both are shown in the note.
 */
export function peerValue(outcome: PeerOutcome, pick: Pick, better: Better): { value: number | null; threadsNote: string } {
  if (!outcome.ok) return { value: null, threadsNote: '' };
  const main = pick(outcome.result) ?? null;
  const single = outcome.single ? (pick(outcome.single) ?? null) : null;
  if (single == null || main == null) return { value: main, threadsNote: '' };
  const singleBetter = better === 'lower' ? single < main : single > main;
  const threads = outcome.result.threads;
  const note = `${threads} threads: ${formatNumber(main)}, 1 thread: ${formatNumber(single)}`;
  return { value: singleBetter ? single : main, threadsNote: singleBetter ? `1 thread was faster; ${note}` : note };
}

/** Puts each peer figure beside the one of ours that measures the same network at the same batch size. */
export function attachPeer(
  book: FigureBook,
  outcome: PeerOutcome,
  trainImages: number,
  scratchTrainImages = trainImages,
  finetuneTrainImages = trainImages,
  finetuneEpochs = 1,
  forwardTrainImages = finetuneTrainImages,
): void {
  const scratchSteps = Math.ceil(scratchTrainImages / 16);
  const finetuneSteps = Math.ceil(finetuneTrainImages / 16);
  const has = (id: string): boolean => book.all().some((f) => f.id === id);
  const put = (id: string, pick: Pick, note?: string): void => {
    if (!has(id)) return;
    if (!outcome.ok) return book.setPeer(id, { value: null, reason: outcome.reason });
    const { value, threadsNote } = peerValue(outcome, pick, book.get(id).better);
    const text = [note, threadsNote].filter(Boolean).join('; ');
    book.setPeer(id, { value, ...(text ? { note: text } : {}), ...(value == null ? { reason: 'the peer did not report it' } : {}) });
  };
  const decode = peerValue(outcome, (p) => p.forwardDecodeImagesPerSecond, 'higher').value;
  const fwdNote = `forward only, decode excluded${decode != null ? `; ${decode.toFixed(0)} img/s with PIL decode + resize` : ''}`;
  const fwd: Pick = (p) => p.forwardImagesPerSecond;
  const step: Pick = (p) => p.scratchStepSeconds;
  const ft: Pick = (p) => p.finetuneStepSeconds;
  put('features.v2.wasm.ips', fwd, fwdNote);
  put('doctor.featureIps', fwd, fwdNote);
  put('engine.features.1', fwd, fwdNote);
  put('engine.features.2', fwd, fwdNote);
  put('scratch.stepSeconds', step, 'one step, no augmentation or decode');
  put('doctor.scratchStep', step);
  put('engine.scratchStep.1', step);
  put('engine.scratchStep.2', step);
  put('scratch.epochSeconds', (p) => p.scratchStepSeconds * scratchSteps, `step x ${scratchSteps}`);
  put('bottleneck.headEpochSeconds', (p) => p.headEpochSeconds, `${outcome.ok ? outcome.result.headSamples : 2000} vectors, batch 16`);
  put('finetune.stepSeconds', ft, 'one step, last block + 1x1 conv unfrozen');
  put('engine.finetuneStep.1', ft);
  put(
    'finetune.epochSeconds',
    (p) => p.finetuneStepSeconds * finetuneSteps,
    `step x ${finetuneSteps}: the peer runs the frozen base every step, while ours may train the top block on cached activations (see the whole-run row)`,
  );
  put(
    'finetune.runSeconds',
    (p) => p.finetuneStepSeconds * finetuneSteps * finetuneEpochs,
    `step x ${finetuneSteps} x ${finetuneEpochs} epoch(s), no validation or start-up`,
  );
  // The forward stage: both engines against the same peer figure.
  const forwardSteps = Math.ceil(forwardTrainImages / 16);
  for (const engine of ['ort', 'tfjs']) {
    put(`forward.features.${engine}.ips`, fwd, fwdNote);
    put(`forward.eval.${engine}.ips`, fwd, fwdNote);
    put(
      `forward.finetune.${engine}.runSeconds`,
      (p) => p.finetuneStepSeconds * forwardSteps * finetuneEpochs,
      `step x ${forwardSteps} x ${finetuneEpochs} epoch(s), no validation or start-up`,
    );
  }
}
