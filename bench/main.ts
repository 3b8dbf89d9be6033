import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, type BenchContext } from './lib/context';
import { FigureBook } from './lib/figures';
import { packageVersion, readMachine } from './lib/machine';
import { runPeer, type PeerOutcome } from './lib/peer';
import { attachPeer } from './lib/peer-figures';
import { stockBaselines } from './lib/baselines';
import { findings } from './lib/findings';
import type { BenchResult } from './lib/result';
import { writeReport } from './lib/write-report';
import { meaningfulLine, runCommand } from './lib/proc';
import { defineAugmentFigures, runAugment } from './stages/augment';
import { defineDoctorFigures, readBackend, runDoctorBench } from './stages/doctor';
import { defineEngineFigures, runEngine } from './stages/engine';
import { defineForwardFigures, runForward } from './stages/forward';
import { defineDecodeFigures, runDecode } from './stages/decode';
import { defineImportFigures, runImport } from './stages/import';
import { defineLabelIssueFigures, runLabelIssues } from './stages/label-issues';
import { defineMapFigures, runMap } from './stages/map';
import { defineThumbnailFigures, runThumbnails } from './stages/thumbnails';
import { defineTrainingFigures, runAuto, runBottleneck, runFinetune, runScratch } from './stages/training';

const STAGES = [
  'import',
  'thumbnails',
  'augment',
  'doctor',
  'engine',
  'decode',
  'bottleneck',
  'map',
  'finetune',
  'forward',
  'scratch',
  'auto',
  'labelIssues',
  'peer',
] as const;
type StageName = (typeof STAGES)[number];

export interface BenchArgs {
  quick: boolean;
  cli: string;
  dataset: string;
  docs: string;
  only: Set<StageName>;
  keep: boolean;
  verbose: boolean;
  /** Build a private copy of the app first (bench/.work/app/out), so a rebuild of out/ mid-run cannot disturb it. */
  build: boolean;
}

const USAGE = `npm run bench -- [--quick] [--only ${STAGES.join(',')}] [--skip STAGE,...] [--cli out/main/cli.js]
                    [--dataset DIR] [--docs DIR] [--keep] [--verbose] [--build]`;

export function parseArgs(argv: string[], root: string): BenchArgs {
  const args: BenchArgs = {
    quick: false,
    cli: join(root, 'out/main/cli.js'),
    dataset: resolve(root, '../shared/data/cats_and_dogs_filtered'),
    docs: join(root, 'docs'),
    only: new Set(STAGES),
    keep: false,
    verbose: false,
    build: false,
  };
  const stages = (value: string | undefined, flag: string): StageName[] => {
    const names = (value ?? '').split(',').filter(Boolean);
    for (const n of names)
      if (!(STAGES as readonly string[]).includes(n)) throw new Error(`${flag}: unknown stage "${n}" (stages: ${STAGES.join(', ')})`);
    return names as StageName[];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--full') args.quick = false;
    else if (a === '--cli') args.cli = resolve(value());
    else if (a === '--dataset') args.dataset = resolve(value());
    else if (a === '--docs') args.docs = resolve(value());
    else if (a === '--only') args.only = new Set(stages(value(), a));
    else if (a === '--skip') for (const s of stages(value(), a)) args.only.delete(s);
    else if (a === '--keep') args.keep = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--build') args.build = true;
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  // These stages work on the imported workspace (scratch too in a full run, which trains on the whole set).
  const onImport: StageName[] = [
    'thumbnails',
    'bottleneck',
    'map',
    'finetune',
    'labelIssues',
    ...(args.quick ? [] : (['scratch'] as const)),
  ];
  if (onImport.some((s) => args.only.has(s)) && !argv.includes('--skip')) args.only.add('import');
  return args;
}

function repoRoot(): string {
  // bench/.work/dist/main.mjs → the repository root
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

export async function runBench(argv: string[]): Promise<number> {
  const root = repoRoot();
  let args: BenchArgs;
  try {
    args = parseArgs(argv, root);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const machine = readMachine();
  const work = mkdtempSync(join(tmpdir(), 'lds-bench-'));
  const book = new FigureBook();
  // The CLI keeps per-user state (recent projects); keep the bench's out of the user's own.
  process.env.LDS_USER_DATA = join(work, 'user-data');
  process.env.LDS_RESOURCES ??= join(root, 'resources');
  let buildNote: string | null = null;
  if (args.build) {
    const outDir = join(root, 'bench/.work/app/out');
    console.error(`[bench] building a private copy of the app into ${outDir}`);
    const built = await runCommand(join(root, 'node_modules/.bin/electron-vite'), ['build', '--outDir', outDir], {
      cwd: root,
      timeoutMs: 600_000,
    });
    if (built.code === 0) args.cli = join(outDir, 'main/cli.js');
    else {
      // Someone's half-finished edit should not cost the whole run: fall back to the last good build.
      buildNote = `The private build failed (${meaningfulLine(built.stderr) ?? meaningfulLine(built.stdout) ?? built.code}); this run used ${args.cli}.`;
      console.error(`[bench] ${buildNote}`);
    }
  }
  const ctx: BenchContext = {
    root,
    cliPath: args.cli,
    dataset: args.dataset,
    work,
    distDir: dirname(fileURLToPath(import.meta.url)),
    settings: args.quick ? QUICK : FULL,
    book,
    verbose: args.verbose,
    notes: buildNote ? [buildNote] : [],
    curves: [],
    beforeAfter: [],
    backend: null,
    peer: null,
    lds: null,
    trainImages: 2000,
    scratchTrainImages: null,
    finetuneTrainImages: null,
    runs: {},
    log: (line) =>
      console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s, load ${loadavg()[0]!.toFixed(1)}] ${line}`),
  };
  defineImportFigures(ctx);
  defineThumbnailFigures(ctx);
  defineAugmentFigures(ctx);
  defineTrainingFigures(ctx);
  defineLabelIssueFigures(ctx);
  defineDoctorFigures(ctx);
  defineEngineFigures(ctx);
  defineDecodeFigures(ctx);
  defineForwardFigures(ctx);
  defineMapFigures(ctx);

  const stage = async (
    name: StageName,
    fn: () => Promise<void>,
    sections: Parameters<FigureBook['failUnmeasured']>[0][],
  ): Promise<void> => {
    if (!args.only.has(name)) {
      for (const s of sections) book.failUnmeasured(s, `stage "${name}" skipped in this run`);
      return;
    }
    const loadStart = loadavg()[0]!;
    const t0 = performance.now();
    try {
      await fn();
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      ctx.log(`${name}: ${message}`);
      for (const s of sections) book.failUnmeasured(s, `bench stage "${name}" crashed: ${message}`);
    } finally {
      stageLog.push({ stage: name, seconds: (performance.now() - t0) / 1000, loadStart, loadEnd: loadavg()[0]! });
    }
  };

  const stageLog: BenchResult['stages'] = [];
  let peer = { ok: false, reason: 'stage "peer" skipped in this run' } as PeerOutcome;
  try {
    await stage('import', () => runImport(ctx), ['import']);
    if (args.only.has('doctor') || args.only.has('bottleneck')) await readBackend(ctx).catch(() => undefined);
    await stage('thumbnails', () => runThumbnails(ctx), ['thumbnails']);
    await stage('augment', () => runAugment(ctx), ['augment']);
    await stage('doctor', () => runDoctorBench(ctx), ['doctor']);
    await stage('engine', () => runEngine(ctx), ['engine']);
    if (args.only.has('decode')) await stage('decode', () => runDecode(ctx), []);
    else book.fail('features.decodeOnly.ips', 'stage "decode" skipped in this run');
    await stage('bottleneck', () => runBottleneck(ctx), ['features', 'bottleneck']);
    await stage('map', () => runMap(ctx), ['map']);
    await stage('finetune', () => runFinetune(ctx), ['finetune']);
    await stage('labelIssues', () => runLabelIssues(ctx), ['labelIssues']);
    await stage('forward', () => runForward(ctx), ['forward']);
    await stage('scratch', () => runScratch(ctx), ['scratch']);
    await stage('auto', () => runAuto(ctx), ['auto']);
    await stage(
      'peer',
      async () => {
        ctx.log('peer: PyTorch, same networks and batch sizes');
        peer = await runPeer({
          script: join(root, 'bench/peer/torch_peer.py'),
          imagesDir: join(args.dataset, 'validation'),
          repeats: ctx.settings.peerRepeats,
          alsoSingleThread: true,
        });
        if (!peer.ok) ctx.log(`peer: ${peer.reason}`);
      },
      [],
    );
  } finally {
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    else ctx.log(`kept ${work}`);
  }
  ctx.beforeAfter.unshift(...stockBaselines(book));
  ctx.notes.unshift(...findings(book));
  attachPeer(
    book,
    peer,
    ctx.trainImages,
    ctx.scratchTrainImages ?? ctx.trainImages,
    ctx.finetuneTrainImages ?? ctx.trainImages,
    ctx.settings.finetuneEpochs,
    ctx.forwardTrainImages ?? ctx.trainImages,
  );
  machine.loadAfter = loadavg();

  const result: BenchResult = {
    settings: ctx.settings,
    dataset: args.dataset.replace(`${resolve(root, '..')}/`, '../'),
    startedAt,
    wallSeconds: (performance.now() - started) / 1000,
    machine,
    versions: {
      'Little Data Studio': await productVersion(root),
      node: process.versions.node,
      '@tensorflow/tfjs': packageVersion(root, '@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': packageVersion(root, '@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-node': packageVersion(root, '@tensorflow/tfjs-node'),
      sharp: packageVersion(root, 'sharp'),
      'better-sqlite3': packageVersion(root, 'better-sqlite3'),
      torch: peer.ok ? peer.result.torch : null,
      torchvision: peer.ok ? peer.result.torchvision : null,
    },
    backend: ctx.backend,
    figures: book.all(),
    stages: stageLog,
    peer,
    curves: ctx.curves,
    plots: [],
    beforeAfter: ctx.beforeAfter,
    notes: ctx.notes,
  };
  const path = await writeReport(result, args.docs);
  const measured = result.figures.filter((f) => f.value != null).length;
  ctx.log(`wrote ${path}: ${measured} of ${result.figures.length} figures measured`);
  return 0;
}

/** package version @ commit, and whether the working tree had uncommitted changes when measured. */
async function productVersion(root: string): Promise<string> {
  const version = packageVersionOf(root);
  const head = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, timeoutMs: 10_000 });
  const dirty = await runCommand('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, timeoutMs: 10_000 });
  const changed = dirty.stdout.split('\n').filter(Boolean).length;
  const commit = head.code === 0 ? head.stdout.trim() : 'unknown commit';
  return `${version} @ ${commit}${changed ? ` (+ ${changed} uncommitted changed files)` : ''}`;
}

function packageVersionOf(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}
