import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { pickNumber } from '../lib/lds';
import { failureReason, parseLastJson, runCommand } from '../lib/proc';
import { formatNumber } from '../lib/stats';

const RUNNER = 'bench/cpu-engine-run.mjs';

export function defineEngineFigures(ctx: BenchContext): void {
  const { book } = ctx;
  const how = `${RUNNER}: random batch-16 tensors, median step after warm-up`;
  book.define('engine', 'engine.scratchStep.1', {
    label: 'Scratch CNN step (150 px, batch 16), wasm, 1 thread',
    unit: 's',
    better: 'lower',
    detail: how,
  });
  book.define('engine', 'engine.scratchStep.2', {
    label: 'Scratch CNN step, wasm, worker per core',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 0.5 },
    detail: how,
  });
  book.define('engine', 'engine.features.1', {
    label: 'MobileNetV2 0.35 features, 1 worker (decode included)',
    unit: 'img/s',
    better: 'higher',
    detail: `${RUNNER}: real JPEGs`,
  });
  book.define('engine', 'engine.features.2', {
    label: 'MobileNetV2 0.35 features, worker per core (decode included)',
    unit: 'img/s',
    better: 'higher',
    target: { op: '>=', value: 120 },
    detail: `${RUNNER}: real JPEGs`,
  });
  book.define('engine', 'engine.finetuneStep.1', {
    label: 'Fine-tune step (top block unfrozen, 224 px, batch 16), 1 thread',
    unit: 's',
    better: 'lower',
    detail: how,
  });
}

/** Runs the CPU engine's own measurement (owned by the CPU-engine work) as a child process and files its figures. */
export async function runEngine(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  if (!existsSync(join(ctx.root, RUNNER))) return book.failUnmeasured('engine', `${RUNNER} is not in the project yet`);
  const quick = ctx.settings.name === 'quick';
  const args = [join(ctx.root, RUNNER), '--images', quick ? '64' : '256', '--steps', quick ? '3' : '8'];
  ctx.log(`engine: node ${args.slice(0).join(' ').replace(`${ctx.root}/`, '')}`);
  const run = await runCommand(process.execPath, args, { cwd: ctx.root, timeoutMs: quick ? 300_000 : 900_000 });
  const failure = failureReason(run, RUNNER);
  if (failure) return book.failUnmeasured('engine', failure);
  const j = parseLastJson(run.stdout);
  const set = (id: string, key: string): void => {
    const v = pickNumber(j, key);
    const cpu = pickNumber(j, `${key}_cpu`);
    if (v == null) book.fail(id, `${RUNNER} did not report ${key}`);
    else
      book.set(
        id,
        v,
        `${book.get(id).detail ?? ''}${cpu != null ? `; CPU-time figure ${formatNumber(cpu)} (steadier on a loaded machine)` : ''}`,
      );
  };
  set('engine.scratchStep.1', 'scratchStepSeconds_1thread');
  set('engine.scratchStep.2', 'scratchStepSeconds_2threads');
  set('engine.features.1', 'featureImagesPerSecond_1worker');
  set('engine.features.2', 'featureImagesPerSecond_2workers');
  set('engine.finetuneStep.1', 'finetuneStepSeconds_1thread');
  const pair = (label: string, a: string, b: string, unit: string): void => {
    const before = book.value(a);
    const after = book.value(b);
    if (before != null && after != null) {
      ctx.beforeAfter.push({
        label,
        before: `${formatNumber(before)} ${unit} (1 thread)`,
        after: `${formatNumber(after)} ${unit} (one wasm worker per core)`,
        source: `${RUNNER}, this run`,
      });
    }
  };
  pair('Scratch CNN step, batch 16', 'engine.scratchStep.1', 'engine.scratchStep.2', 's');
  pair('MobileNetV2 0.35 feature extraction', 'engine.features.1', 'engine.features.2', 'img/s');
}
