import type { FigureBook } from './figures';
import type { PeerOutcome } from './peer';

/** Puts each peer figure beside the one of ours that measures the same network at the same batch size. */
export function attachPeer(book: FigureBook, outcome: PeerOutcome, trainImages: number): void {
  const steps = Math.ceil(trainImages / 16);
  const has = (id: string): boolean => book.all().some((f) => f.id === id);
  const put = (id: string, value: number | null | undefined, note?: string): void => {
    if (!has(id)) return;
    if (!outcome.ok) book.setPeer(id, { value: null, reason: outcome.reason });
    else book.setPeer(id, { value: value ?? null, ...(note ? { note } : {}), ...(value == null ? { reason: 'the peer did not report it' } : {}) });
  };
  const p = outcome.ok ? outcome.result : null;
  const decode = p?.forwardDecodeImagesPerSecond;
  const fwdNote = `forward only, decode excluded${decode != null ? `; ${decode.toFixed(0)} img/s with PIL decode + resize` : ''}`;
  put('features.v2.wasm.ips', p?.forwardImagesPerSecond, fwdNote);
  put('doctor.featureIps', p?.forwardImagesPerSecond, fwdNote);
  put('scratch.stepSeconds', p?.scratchStepSeconds, 'one step, no augmentation or decode');
  put('doctor.scratchStep', p?.scratchStepSeconds);
  put('scratch.epochSeconds', p ? p.scratchStepSeconds * steps : null, `step x ${steps}`);
  put('bottleneck.headEpochSeconds', p?.headEpochSeconds, `${p?.headSamples ?? 2000} vectors, batch 16`);
  put('finetune.stepSeconds', p?.finetuneStepSeconds, 'one step, last block + 1x1 conv unfrozen');
  put('finetune.epochSeconds', p ? p.finetuneStepSeconds * steps : null, `step x ${steps}, no activation cache`);
}
