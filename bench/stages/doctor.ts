import type { BenchContext } from '../lib/context';
import { Lds, pick, pickNumber, pickString } from '../lib/lds';
import { parseLastJson } from '../lib/proc';
import { join } from 'node:path';

export function defineDoctorFigures(ctx: BenchContext): void {
  const { book } = ctx;
  book.define('doctor', 'doctor.featureIps', {
    label: 'featureImagesPerSecond',
    unit: 'img/s',
    better: 'higher',
    target: { op: '>=', value: 120 },
  });
  book.define('doctor', 'doctor.forwardIps', {
    label: 'forward.imagesPerSecond (the forward engine, batches of 16, decode excluded)',
    unit: 'img/s',
    better: 'higher',
    detail: "the engine and provider doctor chose are in the notes; compare with the peer's forward-only figure",
  });
  book.define('doctor', 'doctor.scratchStep', {
    label: 'scratchStepSeconds (batch 16, 150 px)',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 0.5 },
  });
  book.define('doctor', 'doctor.gradErr', { label: 'gradientCheckMaxError (vs the cpu backend)', unit: 'plain', better: 'lower' });
  book.define('doctor', 'doctor.seconds', {
    label: 'Whole `lds doctor --bench` command',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 60 },
  });
}

/** `lds doctor --json`: which backend, threads and SIMD the training process will use. */
export async function readBackend(ctx: BenchContext): Promise<void> {
  const lds = ctx.lds ?? new Lds(ctx.cliPath, join(ctx.work, 'doctor-workspace'), { verbose: ctx.verbose, timeoutMs: 120_000 });
  if (lds.available()) return;
  const doctor = await lds.run(['doctor']);
  if (doctor.failure) {
    ctx.notes.push(`Backend: ${doctor.failure}`);
    return;
  }
  const j = doctor.json;
  const simd = pick(j, 'simd');
  ctx.backend = {
    name: pickString(j, 'active', 'backend', 'activeBackend', 'backend.active'),
    threads: pickNumber(j, 'threads', 'backend.threads'),
    simd: typeof simd === 'boolean' ? simd : null,
    source: '`lds doctor --json`',
  };
  const tfjs = pickString(j, 'tfjsVersion');
  if (tfjs)
    ctx.notes.push(`\`lds doctor\` reports tfjs ${tfjs}, backend ${ctx.backend.name ?? '?'} (${pickString(j, 'tfjsBackend') ?? '?'}).`);
}

export async function runDoctorBench(ctx: BenchContext): Promise<void> {
  const { book } = ctx;
  const lds = ctx.lds ?? new Lds(ctx.cliPath, join(ctx.work, 'doctor-workspace'), { verbose: ctx.verbose, timeoutMs: 300_000 });
  const missing = lds.available();
  if (missing) return book.failUnmeasured('doctor', missing);
  ctx.log('doctor --bench');
  const run = await lds.run(['doctor', '--bench']);
  let j = run.json;
  if (run.failure) {
    // design.md puts the --json object on stdout; take it from stderr if that is where it went, and say so.
    const fromStderr = run.code === 0 ? parseLastJson(run.stderr) : null;
    if (!fromStderr) return book.failUnmeasured('doctor', run.failure);
    j = fromStderr;
    ctx.notes.push(
      '`lds doctor --bench --json` printed its JSON object on stderr instead of stdout (design.md: the last line of stdout); the figures were read from stderr.',
    );
  }
  book.set('doctor.featureIps', pickNumber(j, 'featureImagesPerSecond', 'bench.featureImagesPerSecond'));
  book.set('doctor.forwardIps', pickNumber(j, 'forward.imagesPerSecond', 'bench.forward.imagesPerSecond'));
  book.set('doctor.scratchStep', pickNumber(j, 'scratchStepSeconds', 'bench.scratchStepSeconds'));
  book.set('doctor.gradErr', pickNumber(j, 'gradientCheckMaxError', 'bench.gradientCheckMaxError'));
  book.set('doctor.seconds', run.seconds);
  const backend = pickString(j, 'backend', 'bench.backend');
  const threads = pickNumber(j, 'threads', 'bench.threads');
  if (backend) ctx.notes.push(`\`lds doctor --bench\` ran on ${backend} with ${threads ?? '?'} thread(s).`);
  const engine = pickString(j, 'forward.engine', 'bench.forward.engine');
  if (engine) {
    const provider = pickString(j, 'forward.provider', 'bench.forward.provider');
    ctx.notes.push(`\`lds doctor --bench\` timed the forward engine ${engine}${provider ? ` on ${provider}` : ''}.`);
  }
}
