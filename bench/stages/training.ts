import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import type { Curve } from '../lib/result';
import { curveOfRun, findRun, parseEpochLines } from '../lib/curves';
import { BENCH_BATCH, Lds, pickNumber, pickString, trainArgs, type LdsResult } from '../lib/lds';
import { largestPeak } from '../lib/proc';
import { bytesToMiB } from '../lib/stats';

const V1_DIR = 'models/mobilenet_v1_0.75_224';

export function defineTrainingFigures(ctx: BenchContext): void {
  const { book } = ctx;
  const s = ctx.settings;
  const rss = (section: 'scratch' | 'bottleneck' | 'finetune' | 'auto', id: string): void =>
    book.define(section, id, {
      label: 'Peak RSS of the training process',
      unit: 'MiB',
      better: 'lower',
      detail: 'largest VmHWM in the `lds train` process tree',
    });
  const tensors = (section: 'scratch' | 'bottleneck' | 'finetune', id: string): void =>
    book.define(section, id, {
      label: 'Live tensors at the end of the run (tf.memory)',
      unit: 'tensors',
      better: 'lower',
      detail: 'numTensors reported by the run',
    });

  book.define('features', 'features.v2.wasm.ips', {
    label: 'MobileNetV2 0.35, default forward engine (ONNX Runtime; training on wasm): images/s (decode + resize included)',
    unit: 'img/s',
    better: 'higher',
    target: { op: '>=', value: 120 },
    detail: 'first bottleneck run, all 3000 images; the TF.js figure is forward.features.tfjs.ips',
  });
  book.define('features', 'features.v2.wasm.seconds', {
    label: 'MobileNetV2 0.35, wasm: features for 3000 images',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 25 },
  });
  book.define('features', 'features.v2.wasm.cachedSeconds', {
    label: 'Second bottleneck run, same backbone: feature seconds',
    unit: 's',
    better: 'lower',
    detail: 'the feature cache should make this ~0',
  });
  book.define('features', 'features.v2.wasm.cachedComputed', {
    label: 'Second bottleneck run: features computed',
    unit: 'count',
    better: 'lower',
    target: { op: '<=', value: 0 },
  });
  book.define('features', 'features.v1.wasm.ips', {
    label: 'MobileNetV1 0.75 (added with `lds backbones add`), wasm: images/s',
    unit: 'img/s',
    better: 'higher',
    detail: `bottleneck run on ${s.v1Images == null ? 'all 3000 images' : `a copied ${s.v1Images}-image subset`}`,
  });
  book.define('features', 'features.v2.cpu.ips', {
    label: `MobileNetV2 0.35, cpu backend: images/s (${s.cpuBackendImages}-image subset)`,
    unit: 'img/s',
    better: 'higher',
    detail: '`--backend cpu`, bottleneck run on a copied subset',
  });

  book.define('scratch', 'scratch.stepSeconds', {
    label: 'Seconds per batch-16 step (150 px), from the epoch time',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 0.5 },
    detail: 'seconds per epoch / steps per epoch: includes augmentation, decode and validation, so an upper bound',
  });
  book.define('scratch', 'scratch.epochSeconds', {
    label: `Seconds per epoch (${s.scratchImages == null ? '2000 training images' : `training part of a ${s.scratchImages}-image subset`})`,
    unit: 's',
    better: 'lower',
  });
  book.define('scratch', 'scratch.valAcc', {
    label: `Validation accuracy after ${s.scratchEpochs} epoch(s)`,
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.8 },
    targetFullOnly: true,
  });
  rss('scratch', 'scratch.peakRss');
  tensors('scratch', 'scratch.numTensors');

  book.define('bottleneck', 'bottleneck.headEpochSeconds', {
    label: 'Head training: seconds per epoch (2000 feature vectors)',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 1 },
  });
  book.define('bottleneck', 'bottleneck.valAcc', {
    label: `Validation accuracy (MobileNetV2 0.35, ${s.bottleneckEpochs} head epochs)`,
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.94 },
  });
  book.define('bottleneck', 'bottleneck.v1.valAcc', {
    label: `Validation accuracy (MobileNetV1 0.75${s.v1Images == null ? '' : `, ${s.v1Images}-image subset`})`,
    unit: 'accuracy',
    better: 'higher',
  });
  rss('bottleneck', 'bottleneck.peakRss');
  tensors('bottleneck', 'bottleneck.numTensors');

  const ftWhere = s.finetuneImages == null ? '2000 training images' : `training part of a ${s.finetuneImages}-image subset`;
  book.define('finetune', 'finetune.epochSeconds', {
    label: `Seconds per epoch (${ftWhere}, batch 16, 224 px)`,
    unit: 's',
    better: 'lower',
  });
  book.define('finetune', 'finetune.runSeconds', {
    label: `Whole fine-tune run, ${s.finetuneEpochs} epoch(s) (${ftWhere})`,
    unit: 's',
    better: 'lower',
    detail: '`lds train --mode finetune` wall time: process start, any activation cache, epochs, validation',
  });
  book.define('finetune', 'finetune.stepSeconds', {
    label: 'Seconds per batch-16 step, from the epoch time',
    unit: 's',
    better: 'lower',
    detail: 'epoch seconds / steps per epoch (an upper bound)',
  });
  book.define('finetune', 'finetune.valAcc', {
    label: `Validation accuracy after ${s.finetuneEpochs} epoch(s), from the bottleneck run${s.finetuneImages == null ? '' : ` (${s.finetuneImages}-image subset)`}`,
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.96 },
  });
  rss('finetune', 'finetune.peakRss');
  tensors('finetune', 'finetune.numTensors');

  book.define('auto', 'auto.seconds', {
    label: 'Fresh workspace: import + `lds train --mode auto`',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 90 },
    detail: 'both commands, wall time',
  });
  book.define('auto', 'auto.valAcc', {
    label: 'Validation accuracy of the auto model',
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.9 },
  });
  rss('auto', 'auto.peakRss');
}

function stepsPerEpoch(trainImages: number): number {
  return Math.ceil(trainImages / BENCH_BATCH);
}

/** The main workspace, or a fresh one over a copied subset (quick runs keep the slow stages short). */
async function workspaceFor(
  ctx: BenchContext,
  name: string,
  images: number | null,
): Promise<{ lds: Lds; trainImages: number } | { reason: string }> {
  if (images == null)
    return ctx.lds
      ? { lds: ctx.lds, trainImages: ctx.trainImages }
      : { reason: 'no imported workspace (the import stage failed or was skipped)' };
  const folder = join(ctx.work, `${name}-images`);
  const { train } = copySubset(ctx.dataset, folder, images);
  const lds = new Lds(ctx.cliPath, join(ctx.work, `${name}-workspace`), { verbose: ctx.verbose, timeoutMs: 900_000 });
  const missing = lds.available();
  if (missing) return { reason: missing };
  const imp = await lds.run(['import', folder]);
  if (imp.failure) return { reason: imp.failure };
  return { lds, trainImages: train };
}

interface TrainOutcome {
  result: LdsResult;
  runId: string | null;
}

async function train(ctx: BenchContext, lds: Lds, args: string[], label: string): Promise<TrainOutcome> {
  ctx.log(`train: ${label} (${args.join(' ')})`);
  // Training legitimately takes long on a loaded 2-core machine; the limit only catches a hang.
  const result = await lds.run(['train', ...args, '--seed', '1'], { timeoutMs: ctx.settings.name === 'quick' ? 1_200_000 : 14_400_000 });
  const runId = pickString(result.json, 'runId', 'id', 'run.id');
  if (!result.failure && ctx.backend == null) {
    const name = pickString(result.json, 'backend', 'backend.active', 'backend.name');
    if (name)
      ctx.backend = { name, threads: pickNumber(result.json, 'threads', 'backend.threads'), simd: null, source: `lds train (${label})` };
  }
  return { result, runId };
}

/** The run as `lds runs --json` lists it (null when it is not listed or the command fails). */
async function details(ctx: BenchContext, lds: Lds, outcome: TrainOutcome): Promise<Record<string, unknown> | null> {
  if (!outcome.runId) return null;
  const runs = await lds.run(['runs']);
  if (runs.failure) {
    ctx.notes.push(`\`lds runs --json\`: ${runs.failure}`);
    return null;
  }
  return findRun(runs.json, outcome.runId);
}

/** Peak RSS, live tensors and the curve of a finished run, from the CLI's outputs. */
async function recordCommon(
  ctx: BenchContext,
  lds: Lds,
  outcome: TrainOutcome,
  label: string,
  rssId: string,
  tensorsId: string | null,
): Promise<void> {
  const peak = largestPeak(outcome.result);
  if (peak)
    ctx.book.set(
      rssId,
      bytesToMiB(peak.peakRssBytes),
      `largest VmHWM in the \`lds train\` process tree (${peak.command.split(' ').slice(1, 2).join(' ').replace(/.*\//, '')})`,
    );
  const run = await details(ctx, lds, outcome);
  const sources = [outcome.result.json, run, (run?.metrics as Record<string, unknown> | undefined) ?? null];
  const first = (...paths: string[]): number | null => {
    for (const src of sources) {
      const v = pickNumber(src, ...paths);
      if (v != null) return v;
    }
    return null;
  };
  const reported = first('peakRssBytes');
  if (reported != null)
    ctx.notes.push(`${label}: the training process itself reports a peak RSS of ${bytesToMiB(reported).toFixed(0)} MiB.`);
  if (tensorsId) {
    const n = first('numTensors', 'tensorGrowth', 'memory.numTensors');
    if (n == null) ctx.book.fail(tensorsId, 'neither `lds train --json` nor `lds runs --json` reports tf.memory().numTensors');
    else ctx.book.set(tensorsId, n);
  }
  const curve = (run ? curveOfRun(run, label) : null) ?? stderrCurve(outcome, label);
  if (curve) ctx.curves.push(curve);
}

function stderrCurve(outcome: TrainOutcome, label: string): Curve | null {
  const epochs = parseEpochLines(outcome.result.stderr);
  return epochs.length ? { label, mode: label, epochs } : null;
}

export async function runBottleneck(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = ctx.lds;
  if (!lds) {
    book.failUnmeasured('features', 'no imported workspace (the import stage failed or was skipped)');
    return book.failUnmeasured('bottleneck', 'no imported workspace (the import stage failed or was skipped)');
  }
  const first = await train(ctx, lds, trainArgs('bottleneck', ctx.settings.bottleneckEpochs), 'bottleneck MobileNetV2 0.35');
  if (first.result.failure) {
    book.failUnmeasured('features', first.result.failure);
    book.failUnmeasured('bottleneck', first.result.failure);
  } else {
    const j = first.result.json;
    book.set('features.v2.wasm.ips', pickNumber(j, 'imagesPerSecond'));
    book.set('features.v2.wasm.seconds', pickNumber(j, 'featureSeconds'));
    book.set(
      'bottleneck.headEpochSeconds',
      pickNumber(j, 'secondsPerEpoch'),
      'secondsPerEpoch of the bottleneck run (validation included)',
    );
    book.set('bottleneck.valAcc', pickNumber(j, 'valAccuracy'));
    await recordCommon(ctx, lds, first, 'bottleneck', 'bottleneck.peakRss', 'bottleneck.numTensors');
    ctx.runs.bottleneck = first.runId ?? undefined;

    const second = await train(ctx, lds, trainArgs('bottleneck', 1), 'bottleneck again (cache)');
    if (second.result.failure) book.failUnmeasured('features', second.result.failure);
    else {
      book.set('features.v2.wasm.cachedSeconds', pickNumber(second.result.json, 'featureSeconds'));
      const run = await details(ctx, lds, second);
      const computed =
        pickNumber(second.result.json, 'featuresComputed') ?? pickNumber(run, 'metrics.featuresComputed', 'featuresComputed');
      if (computed == null)
        book.fail('features.v2.wasm.cachedComputed', 'neither `lds train --json` nor `lds runs --json` reports featuresComputed');
      else book.set('features.v2.wasm.cachedComputed', computed);
    }
  }
  await runV1(ctx);
  await runCpuSubset(ctx);
}

async function runV1(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const ws = await workspaceFor(ctx, 'v1', ctx.settings.v1Images);
  if ('reason' in ws) {
    book.fail('features.v1.wasm.ips', ws.reason);
    book.fail('bottleneck.v1.valAcc', ws.reason);
    return;
  }
  const lds = ws.lds;
  const add = await lds.run(['backbones', 'add', join(ctx.dataset, '..', V1_DIR)]);
  if (add.failure) {
    book.fail('features.v1.wasm.ips', add.failure);
    book.fail('bottleneck.v1.valAcc', add.failure);
    return;
  }
  const id = pickString(add.json, 'id', 'backbone.id', 'backboneId', 'key');
  if (!id) {
    const reason = `\`lds backbones add\` printed no backbone id: ${JSON.stringify(add.json).slice(0, 160)}`;
    book.fail('features.v1.wasm.ips', reason);
    book.fail('bottleneck.v1.valAcc', reason);
    return;
  }
  const run = await train(
    ctx,
    lds,
    trainArgs('bottleneck', ctx.settings.bottleneckEpochs, { extra: ['--backbone', id] }),
    'bottleneck MobileNetV1 0.75',
  );
  if (run.result.failure) {
    book.fail('features.v1.wasm.ips', run.result.failure);
    book.fail('bottleneck.v1.valAcc', run.result.failure);
    return;
  }
  book.set('features.v1.wasm.ips', pickNumber(run.result.json, 'imagesPerSecond'));
  book.set('bottleneck.v1.valAcc', pickNumber(run.result.json, 'valAccuracy'));
}

/** A small copy of the dataset (train/validation x cats/dogs) for the slow cpu backend. */
export function copySubset(dataset: string, dest: string, count: number): { train: number; validation: number } {
  const perTrainClass = Math.max(2, Math.round((count * 0.75) / 2));
  const perValClass = Math.max(2, Math.round((count * 0.25) / 2));
  const counts = { train: 0, validation: 0 };
  for (const [split, per] of [
    ['train', perTrainClass],
    ['validation', perValClass],
  ] as const) {
    for (const cls of ['cats', 'dogs']) {
      const from = join(dataset, split, cls);
      const to = join(dest, split, cls);
      mkdirSync(to, { recursive: true });
      const files = readdirSync(from)
        .filter((n) => n.endsWith('.jpg'))
        .sort()
        .slice(0, per);
      for (const f of files) copyFileSync(join(from, f), join(to, f));
      counts[split] += files.length;
    }
  }
  return counts;
}

async function runCpuSubset(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const ws = await workspaceFor(ctx, 'cpu', ctx.settings.cpuBackendImages);
  if ('reason' in ws) return book.fail('features.v2.cpu.ips', ws.reason);
  const run = await train(ctx, ws.lds, trainArgs('bottleneck', 1, { backend: 'cpu' }), 'bottleneck on the cpu backend');
  if (run.result.failure) return book.fail('features.v2.cpu.ips', run.result.failure);
  book.set('features.v2.cpu.ips', pickNumber(run.result.json, 'imagesPerSecond'));
}

export async function runFinetune(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const subset = ctx.settings.finetuneImages;
  const ws = await workspaceFor(ctx, 'finetune', subset);
  if ('reason' in ws) return book.failUnmeasured('finetune', ws.reason);
  const lds = ws.lds;
  let parent = subset == null ? ctx.runs.bottleneck : undefined;
  if (subset != null) {
    // Fine-tuning starts from a trained head: train one on the subset first.
    const head = await train(ctx, lds, trainArgs('bottleneck', ctx.settings.bottleneckEpochs), 'bottleneck head for fine-tuning (subset)');
    if (head.result.failure) return book.failUnmeasured('finetune', `the bottleneck run to fine-tune from failed: ${head.result.failure}`);
    parent = head.runId ?? undefined;
  }
  if (!parent) return book.failUnmeasured('finetune', 'no finished bottleneck run to fine-tune from');
  ctx.finetuneTrainImages = ws.trainImages;
  const run = await train(ctx, lds, trainArgs('finetune', ctx.settings.finetuneEpochs, { from: parent }), 'fine-tune');
  if (run.result.failure) return book.failUnmeasured('finetune', run.result.failure);
  const spe = pickNumber(run.result.json, 'secondsPerEpoch');
  book.set('finetune.epochSeconds', spe);
  book.set('finetune.stepSeconds', spe == null ? null : spe / stepsPerEpoch(ws.trainImages));
  book.set('finetune.valAcc', pickNumber(run.result.json, 'valAccuracy'));
  const cache = pickNumber(run.result.json, 'featureSeconds');
  book.set(
    'finetune.runSeconds',
    run.result.seconds,
    cache != null
      ? `wall time of \`lds train --mode finetune\`; ${cache.toFixed(1)} s of it before the first epoch (featureSeconds: cached activations)`
      : undefined,
  );
  await recordCommon(ctx, lds, run, 'fine-tune', 'finetune.peakRss', 'finetune.numTensors');
}

export async function runScratch(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const ws = await workspaceFor(ctx, 'scratch', ctx.settings.scratchImages);
  if ('reason' in ws) return book.failUnmeasured('scratch', ws.reason);
  const lds = ws.lds;
  ctx.scratchTrainImages = ws.trainImages;
  const run = await train(
    ctx,
    lds,
    // The recipe's protocol: the blog's training augmentation and all its epochs (it does not stop early).
    trainArgs('scratch', ctx.settings.scratchEpochs, { extra: ['--augment', 'keras-blog', '--patience', '0'] }),
    'scratch CNN',
  );
  if (run.result.failure) return book.failUnmeasured('scratch', run.result.failure);
  const spe = pickNumber(run.result.json, 'secondsPerEpoch');
  book.set('scratch.epochSeconds', spe);
  book.set('scratch.stepSeconds', spe == null ? null : spe / stepsPerEpoch(ws.trainImages));
  book.set('scratch.valAcc', pickNumber(run.result.json, 'valAccuracy'));
  await recordCommon(ctx, lds, run, 'scratch', 'scratch.peakRss', 'scratch.numTensors');
}

export async function runAuto(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = new Lds(ctx.cliPath, join(ctx.work, 'auto-workspace'), { verbose: ctx.verbose, timeoutMs: 900_000 });
  const missing = lds.available();
  if (missing) return book.failUnmeasured('auto', missing);
  ctx.log('auto: fresh workspace, import then train --mode auto');
  const started = performance.now();
  const imp = await lds.run(['import', ctx.dataset]);
  if (imp.failure) return book.failUnmeasured('auto', imp.failure);
  const run = await train(ctx, lds, ['--mode', 'auto'], 'auto');
  if (run.result.failure) return book.failUnmeasured('auto', run.result.failure);
  const seconds = (performance.now() - started) / 1000;
  const mode = pickString(run.result.json, 'mode');
  const reason =
    pickString(run.result.json, 'reason', 'autoReason', 'modeReason') ?? /^run \S+: (.+)$/m.exec(run.result.stderr)?.[1] ?? null;
  book.set(
    'auto.seconds',
    seconds,
    `import ${imp.seconds.toFixed(1)} s + train ${run.result.seconds.toFixed(1)} s; picked ${mode ?? 'unknown'}${reason ? ` (${reason})` : ''}`,
  );
  book.set('auto.valAcc', pickNumber(run.result.json, 'valAccuracy'));
  await recordCommon(ctx, lds, run, 'auto', 'auto.peakRss', null);
}
