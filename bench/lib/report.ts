import { SECTIONS, type Figure, type SectionId } from './figures';
import type { BenchResult } from './result';
import { REFERENCES } from './result';
import { formatNumber, formatSpeedup, formatTarget, formatValue, meetsTarget, ratio, speedup } from './stats';

/** The figures a reader wants first; the full tables follow. */
export const HEADLINE = [
  'import.seconds',
  'thumbs.firstScreen.seconds',
  'augment.preview.p50',
  'features.v2.wasm.ips',
  'engine.scratchStep.2',
  'scratch.stepSeconds',
  'bottleneck.headEpochSeconds',
  'bottleneck.valAcc',
  'finetune.epochSeconds',
  'finetune.runSeconds',
  'finetune.valAcc',
  'scratch.valAcc',
  'auto.seconds',
  'auto.valAcc',
  'bottleneck.peakRss',
];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function targetVerdict(figure: Figure, settings: BenchResult['settings']['name']): string {
  if (!figure.target) return '';
  const text = formatTarget(figure.target, figure.unit);
  if (figure.targetFullOnly && settings === 'quick') return `${text} (full run only)`;
  const met = meetsTarget(figure.value, figure.target);
  if (met == null) return `${text}: not measured`;
  return `${text}: ${met ? 'met' : 'missed'}`;
}

export function peerCells(figure: Figure): { peer: string; ratio: string; speed: string } {
  if (!figure.peer) return { peer: '', ratio: '', speed: '' };
  if (figure.peer.value == null) return { peer: `n/a (${figure.peer.reason ?? 'not measured'})`, ratio: '—', speed: '—' };
  const note = figure.peer.note ? ` (${figure.peer.note})` : '';
  const r = ratio(figure.value, figure.peer.value);
  return {
    peer: `${formatValue(figure.peer.value, figure.unit)}${note}`,
    ratio: r == null ? '—' : formatNumber(r),
    speed: formatSpeedup(speedup(figure.value, figure.peer.value, figure.better)),
  };
}

function ours(figure: Figure): string {
  if (figure.value == null) return `not available: ${figure.reason ?? 'not measured'}`;
  return formatValue(figure.value, figure.unit);
}

function sectionTable(figures: Figure[], result: BenchResult): string[] {
  const withPeer = figures.some((f) => f.peer);
  const header = withPeer
    ? ['Figure', 'Ours', 'Target (issues)', 'PyTorch peer', 'ours/peer', 'Speed vs peer', 'How measured']
    : ['Figure', 'Ours', 'Target (issues)', 'How measured'];
  const lines = [row(header), row(header.map(() => '---'))];
  for (const f of figures) {
    const p = peerCells(f);
    const cells = withPeer
      ? [f.label, ours(f), targetVerdict(f, result.settings.name), p.peer, p.ratio, p.speed, f.detail ?? '']
      : [f.label, ours(f), targetVerdict(f, result.settings.name), f.detail ?? ''];
    lines.push(row(cells));
  }
  return lines;
}

function figureMap(result: BenchResult): Map<string, Figure> {
  return new Map(result.figures.map((f) => [f.id, f]));
}

/** docs/benchmarks.md, entirely from a BenchResult: no figure is typed in by hand. */
export function renderReport(result: BenchResult): string {
  const out: string[] = [];
  const m = result.machine;
  const figures = figureMap(result);
  out.push('# Benchmarks');
  out.push('');
  out.push(
    `Written by \`npm run bench${result.settings.name === 'quick' ? ' -- --quick' : ''}\` on ${result.startedAt} ` +
      `(${result.settings.name} settings, ${formatNumber(result.wallSeconds)} s in all). Every figure comes from the real ` +
      '`lds` CLI run as a child process on `' +
      result.dataset +
      '`; a figure the product cannot produce yet is listed as ' +
      '"not available" with the reason. Re-run to refresh; do not edit by hand.',
  );
  out.push('');
  const headline = HEADLINE.map((id) => figures.get(id)).filter((f): f is Figure => f != null);
  if (headline.length) {
    out.push('## Headline');
    out.push('');
    out.push(row(['Figure', 'Ours', 'Target (issues)', 'Speed vs PyTorch peer']));
    out.push(row(['---', '---', '---', '---']));
    for (const f of headline)
      out.push(
        row([`${SECTIONS[f.section]}: ${f.label}`, ours(f), targetVerdict(f, result.settings.name), f.peer ? peerCells(f).speed : '']),
      );
    out.push('');
  }
  out.push('## Machine');
  out.push('');
  out.push(row(['', '']));
  out.push(row(['---', '---']));
  out.push(row(['CPU', m.cpuModel]));
  out.push(row(['Cores (os.cpus)', String(m.cores)]));
  out.push(row(['SIMD flags', m.flags.join(' ') || 'none found']));
  out.push(row(['Memory', `${formatNumber(m.memoryGiB)} GiB`]));
  out.push(row(['Kernel', m.kernel]));
  out.push(
    row([
      'Load average before / after',
      `${m.loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${(m.loadAfter ?? []).map((l) => l.toFixed(2)).join(' ')}`,
    ]),
  );
  out.push('');
  if ((m.loadAfter?.[0] ?? 0) > m.cores * 0.5 || (m.loadBefore[0] ?? 0) > m.cores * 0.5) {
    out.push(
      '> The machine was shared with other work during this run (load average above half the core count): ' +
        'absolute times are pessimistic for both sides; the ratios are fairer than the absolute figures.',
    );
    out.push('');
  }
  if (result.stages.length) {
    out.push('Stages (wall time; 1-minute load average at start → end, on ' + m.cores + ' cores):');
    out.push('');
    out.push(row(['Stage', 'Seconds', 'Load']));
    out.push(row(['---', '---', '---']));
    for (const st of result.stages)
      out.push(row([st.stage, formatNumber(st.seconds), `${st.loadStart.toFixed(1)} → ${st.loadEnd.toFixed(1)}`]));
    out.push('');
  }
  out.push('## Versions and backend');
  out.push('');
  out.push(row(['Component', 'Version']));
  out.push(row(['---', '---']));
  for (const [name, version] of Object.entries(result.versions)) out.push(row([name, version ?? 'not installed']));
  const b = result.backend;
  out.push(
    row([
      'TF.js backend used',
      b
        ? `${b.name ?? 'unknown'}, threads ${b.threads ?? 'unknown'}, SIMD ${b.simd == null ? 'unknown' : b.simd ? 'on' : 'off'} (from ${b.source})`
        : 'unknown (no command reported it)',
    ]),
  );
  if (result.peer.ok) {
    const p = result.peer.result;
    const single = result.peer.single ? '; also run at 1 thread, and the faster of the two is compared (both in the notes)' : '';
    out.push(
      row([
        'Peer',
        `PyTorch ${p.torch} / torchvision ${p.torchvision}, Python ${p.python}, ${p.threads} threads (one per core, as ours)${single}, BLAS ${p.blas ?? 'unknown'}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the peer only`,
      ]),
    );
  } else {
    out.push(row(['Peer', `not run: ${result.peer.reason}`]));
  }
  out.push('');
  out.push('## Settings');
  out.push('');
  const s = result.settings;
  out.push(
    `${s.name}: scratch ${s.scratchEpochs} epoch(s), bottleneck head ${s.bottleneckEpochs} epoch(s), fine-tune ${s.finetuneEpochs} epoch(s); ` +
      `scratch on ${s.scratchImages == null ? 'the whole dataset' : `a ${s.scratchImages}-image subset`}; ` +
      `fine-tune on ${s.finetuneImages == null ? 'the whole dataset' : `a ${s.finetuneImages}-image subset`}; ` +
      `MobileNetV1 0.75 on ${s.v1Images == null ? 'the whole dataset' : `a ${s.v1Images}-image subset`}; ` +
      `cpu-backend extraction on ${s.cpuBackendImages} images; first screen = ${s.thumbFirstScreen} thumbnails; ` +
      `${s.augmentVariants} augmentation variants; peer repetitions ${s.peerRepeats} (medians reported).`,
  );
  out.push('');

  out.push('## Accuracy beside the published recipe');
  out.push('');
  out.push(row(['Reference method', 'Source', 'Published', 'Ours', 'Our method']));
  out.push(row(['---', '---', '---', '---', '---']));
  for (const ref of REFERENCES) {
    const f = ref.oursFigure ? figures.get(ref.oursFigure) : undefined;
    out.push(row([ref.method, ref.source, ref.accuracy, f ? ours(f) : '—', ref.oursLabel]));
  }
  out.push('');
  out.push(
    'Published figures: Keras blog on 1000 + 1000 training images (VGG16); TF tutorial on this exact split (MobileNetV2 1.0, 160 px).',
  );
  out.push('');

  const bySection = new Map<SectionId, Figure[]>();
  for (const f of result.figures) bySection.set(f.section, [...(bySection.get(f.section) ?? []), f]);
  out.push('## Figures');
  out.push('');
  out.push(
    'ours/peer is the plain ratio of the two numbers; "Speed vs peer" turns it into faster/slower whichever way the unit points ' +
      '(seconds: lower is better; images/s: higher is better).',
  );
  out.push('');
  for (const [id, title] of Object.entries(SECTIONS) as [SectionId, string][]) {
    const list = bySection.get(id);
    if (!list?.length) continue;
    out.push(`### ${title}`);
    out.push('');
    out.push(...sectionTable(list, result));
    out.push('');
  }

  if (result.plots.length) {
    out.push('## Plots');
    out.push('');
    for (const plot of result.plots) {
      out.push(`![${plot.title}](${plot.file})`);
      out.push('');
    }
  }

  if (result.beforeAfter.length) {
    out.push('## Before / after');
    out.push('');
    out.push(row(['What', 'Before', 'After', 'Source']));
    out.push(row(['---', '---', '---', '---']));
    for (const ba of result.beforeAfter) out.push(row([ba.label, ba.before, ba.after, ba.source]));
    out.push('');
  }

  const missing = result.figures.filter((f) => f.value == null);
  out.push('## Not available in this run');
  out.push('');
  if (missing.length === 0) out.push('Every figure was measured.');
  for (const [reason, list] of groupByReason(missing)) {
    out.push(`- ${reason}: ${list.map((f) => `${SECTIONS[f.section]} / ${f.label}`).join('; ')}`);
  }
  out.push('');
  if (result.notes.length) {
    out.push('## Notes');
    out.push('');
    for (const note of result.notes) out.push(`- ${note}`);
    out.push('');
  }
  out.push('## Reproduce');
  out.push('');
  out.push('```sh');
  out.push('npx electron-vite build        # the bench drives out/main/cli.js (or add --build: a private copy in bench/.work/app)');
  out.push('apt-get install -y python3-torch python3-torchvision libopenblas0-pthread   # the peer (optional)');
  out.push('npm run bench -- --quick       # under 10 minutes; without --quick: the full settings');
  out.push('```');
  out.push('');
  return out.join('\n');
}

/** One line per distinct reason: a missing command explains a dozen figures at once. */
export function groupByReason(figures: Figure[]): Map<string, Figure[]> {
  const groups = new Map<string, Figure[]>();
  for (const f of figures) {
    const reason = f.reason ?? 'not measured';
    groups.set(reason, [...(groups.get(reason) ?? []), f]);
  }
  return groups;
}
