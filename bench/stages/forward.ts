import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { Lds, pickNumber, pickString, trainArgs, type LdsResult } from '../lib/lds';
import { largestPeak } from '../lib/proc';
import { bytesToMiB, formatNumber } from '../lib/stats';
import { copySubset } from './training';

/** The two forward engines, each measured in a workspace of its own (so neither reads the other's feature cache). */
const ENGINES = [
  { key: 'ort', name: 'ONNX Runtime', env: { LDS_FORWARD: 'auto', LDS_DEVICE: 'cpu' } },
  { key: 'tfjs', name: 'TF.js (wasm)', env: { LDS_FORWARD: 'tfjs' } },
] as const;

export function defineForwardFigures(ctx: BenchContext): void {
  const { book } = ctx;
  const s = ctx.settings;
  const where = s.finetuneImages == null ? 'all 3000 images' : `a copied ${s.finetuneImages}-image subset`;
  for (const e of ENGINES) {
    book.define('forward', `forward.features.${e.key}.ips`, {
      label: `MobileNetV2 0.35 features on ${e.name}: images/s (decode + resize included)`,
      unit: 'img/s',
      better: 'higher',
      ...(e.key === 'ort' ? { target: { op: '>=' as const, value: 240 } } : {}),
      detail: `first bottleneck run on ${where}, fresh feature cache`,
    });
    book.define('forward', `forward.features.${e.key}.peakRss`, {
      label: `Peak RSS, bottleneck run on ${e.name}`,
      unit: 'MiB',
      better: 'lower',
      detail: 'largest VmHWM in the `lds train` process tree',
    });
    book.define('forward', `forward.finetune.${e.key}.runSeconds`, {
      label: `Whole fine-tune run on ${e.name}, ${s.finetuneEpochs} epoch(s)`,
      unit: 's',
      better: 'lower',
      detail: `\`lds train --mode finetune\` wall time on ${where}: the frozen base's activations on ${e.name}, training on TF.js`,
    });
    book.define('forward', `forward.finetune.${e.key}.peakRss`, {
      label: `Peak RSS, fine-tune run on ${e.name}`,
      unit: 'MiB',
      better: 'lower',
      detail: 'largest VmHWM in the `lds train` process tree',
    });
    book.define('forward', `forward.eval.${e.key}.ips`, {
      label: `Evaluation of the validation split on ${e.name}: images/s`,
      unit: 'img/s',
      better: 'higher',
      ...(e.key === 'ort' ? { target: { op: '>=' as const, value: 240 } } : {}),
      detail: '`lds eval` of the fine-tuned run (no feature cache applies): images / wall time, process start and model load included',
    });
    book.define('forward', `forward.eval.${e.key}.peakRss`, {
      label: `Peak RSS, evaluation on ${e.name}`,
      unit: 'MiB',
      better: 'lower',
      detail: 'largest VmHWM in the `lds eval` process tree',
    });
  }
}

function peakMiB(result: LdsResult): number | null {
  const peak = largestPeak(result);
  return peak ? bytesToMiB(peak.peakRssBytes) : null;
}

/**
 * Feature extraction, a whole fine-tune run and the evaluation of the validation split, once with ONNX
 * Runtime as the forward engine (CPU provider) and once with TF.js, each in a fresh workspace over the
 * same images; the PyTorch peer's figures are attached beside them (peer-figures.ts).
 */
export async function runForward(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const folder = join(ctx.work, 'forward-images');
  const counts = ctx.settings.finetuneImages == null ? null : copySubset(ctx.dataset, folder, ctx.settings.finetuneImages);
  const source = counts ? folder : ctx.dataset;
  ctx.forwardTrainImages = counts?.train ?? 2000;
  for (const e of ENGINES) {
    const fail = (reason: string): void => {
      for (const f of book.all())
        if (f.id.startsWith('forward.') && f.id.includes(`.${e.key}.`) && f.value == null) book.fail(f.id, reason);
    };
    const env = { ...process.env, ...e.env };
    const lds = new Lds(ctx.cliPath, join(ctx.work, `forward-${e.key}-workspace`), { verbose: ctx.verbose, timeoutMs: 14_400_000 });
    const missing = lds.available();
    if (missing) return fail(missing);
    const imp = await lds.run(['import', source], { env });
    if (imp.failure) return fail(imp.failure);

    ctx.log(`forward: bottleneck on ${e.name}`);
    const head = await lds.run(['train', ...trainArgs('bottleneck', ctx.settings.bottleneckEpochs), '--seed', '1'], { env });
    if (head.failure) {
      fail(head.failure);
      continue;
    }
    book.set(
      `forward.features.${e.key}.ips`,
      pickNumber(head.json, 'imagesPerSecond'),
      `features in ${formatNumber(pickNumber(head.json, 'featureSeconds') ?? Number.NaN)} s`,
    );
    book.set(`forward.features.${e.key}.peakRss`, peakMiB(head));
    // `lds train` prints the run's notes on stderr: "note: forward pass up to …: onnxruntime … on cpu: …".
    const engineNote = /note: forward pass[^\n]*/.exec(head.stderr)?.[0] ?? 'no forward note';
    if (e.key === 'ort' && !engineNote.includes('onnxruntime'))
      ctx.notes.push(`forward stage: the ONNX Runtime run did not run on onnxruntime (${engineNote.slice(0, 200)})`);
    const parent = pickString(head.json, 'runId', 'id', 'run.id');
    if (!parent) {
      fail('`lds train --json` printed no run id');
      continue;
    }

    ctx.log(`forward: fine-tune on ${e.name}`);
    const ft = await lds.run(['train', ...trainArgs('finetune', ctx.settings.finetuneEpochs, { from: parent }), '--seed', '1'], { env });
    if (ft.failure) {
      fail(ft.failure);
      continue;
    }
    const cache = pickNumber(ft.json, 'featureSeconds');
    book.set(
      `forward.finetune.${e.key}.runSeconds`,
      ft.seconds,
      cache != null ? `${cache.toFixed(1)} s of it caching the frozen base's activations` : undefined,
    );
    book.set(`forward.finetune.${e.key}.peakRss`, peakMiB(ft));
    const run = pickString(ft.json, 'runId', 'id', 'run.id');
    if (!run) {
      fail('`lds train --json` printed no run id for the fine-tune run');
      continue;
    }

    ctx.log(`forward: eval on ${e.name}`);
    const ev = await lds.run(['eval', run, '--split', 'validation'], { env });
    if (ev.failure) {
      fail(ev.failure);
      continue;
    }
    const count = pickNumber(ev.json, 'count');
    book.set(
      `forward.eval.${e.key}.ips`,
      count == null ? null : count / ev.seconds,
      `${count ?? '?'} images in ${ev.seconds.toFixed(1)} s, accuracy ${formatNumber(pickNumber(ev.json, 'accuracy') ?? Number.NaN)}`,
    );
    book.set(`forward.eval.${e.key}.peakRss`, peakMiB(ev));
  }
  const pair = (label: string, id: string, unit: string): void => {
    const before = book.value(`forward.${id}.tfjs.${unit === 's' ? 'runSeconds' : 'ips'}`);
    const after = book.value(`forward.${id}.ort.${unit === 's' ? 'runSeconds' : 'ips'}`);
    if (before != null && after != null)
      ctx.beforeAfter.push({
        label,
        before: `${formatNumber(before)} ${unit} (TF.js)`,
        after: `${formatNumber(after)} ${unit} (ONNX Runtime)`,
        source: 'forward stage, this run',
      });
  };
  pair('MobileNetV2 0.35 feature extraction, decode included', 'features', 'img/s');
  pair('Whole fine-tune run', 'finetune', 's');
  pair('Evaluation of the validation split', 'eval', 'img/s');
}
