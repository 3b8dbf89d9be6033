import type { FigureBook } from './figures';
import { formatNumber } from './stats';

/**
 * "Use what the numbers show": comparisons between figures of the same run that point at where the
 * time goes, written as sentences for the report.
 */
export function findings(book: FigureBook): string[] {
  const v = (id: string): number | null => {
    try {
      return book.value(id);
    } catch {
      return null;
    }
  };
  const out: string[] = [];
  const pipelineStep = v('scratch.stepSeconds');
  const rawStep = v('engine.scratchStep.2') ?? v('doctor.scratchStep');
  if (pipelineStep != null && rawStep != null && pipelineStep > rawStep * 1.5) {
    out.push(
      `Scratch training: a step inside \`lds train\` costs ${formatNumber(pipelineStep)} s against ${formatNumber(rawStep)} s for the bare ` +
        `gradient step on a ready batch (${formatNumber(pipelineStep / rawStep)}x): decode, augmentation and validation around the step, ` +
        'not the step itself, are the larger cost — overlapping them with compute is the next speed-up.',
    );
  }
  const decode = v('features.decodeOnly.ips');
  const extract = v('features.v2.wasm.ips');
  if (decode != null && extract != null) {
    out.push(
      decode > extract * 2
        ? `Feature extraction is bound by the forward pass: the input side alone runs at ${formatNumber(decode)} img/s, extraction at ${formatNumber(extract)} img/s.`
        : `Feature extraction is close to the input side's own rate (${formatNumber(decode)} img/s decode vs ${formatNumber(extract)} img/s extraction): decoding is a bottleneck.`,
    );
  }
  const one = v('engine.features.1');
  const two = v('engine.features.2');
  if (one != null && two != null && two < one * 1.2) {
    out.push(
      `A wasm worker per core gives ${formatNumber(two)} img/s against ${formatNumber(one)} img/s for one worker: on this shared machine the second core brought ` +
        `${two < one ? 'nothing' : 'little'} (see the load column above).`,
    );
  }
  const ftRun = v('finetune.runSeconds');
  const ftEpoch = v('finetune.epochSeconds');
  if (ftRun != null && ftEpoch != null && ftRun > ftEpoch * 3) {
    out.push(
      `Fine-tune: ${formatNumber(ftRun)} s for the whole run against ${formatNumber(ftEpoch)} s per epoch — building the cached activations dominates a short run; ` +
        'it pays off over several epochs.',
    );
  }
  return out;
}
