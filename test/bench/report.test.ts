import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FigureBook, PENDING } from '../../bench/lib/figures';
import { attachPeer, peerValue } from '../../bench/lib/peer-figures';
import { stockBaselines } from '../../bench/lib/baselines';
import { findings } from '../../bench/lib/findings';
import type { PeerResult } from '../../bench/lib/peer';
import { groupByReason, peerCells, renderReport, targetVerdict } from '../../bench/lib/report';
import type { BenchResult } from '../../bench/lib/result';
import { QUICK } from '../../bench/lib/context';
import { curveOfRun, findRun, parseEpochLines } from '../../bench/lib/curves';
import { accuracyChart, lineChartSvg, ticks } from '../../bench/lib/plot';
import { writeReport } from '../../bench/lib/write-report';

const peer: PeerResult = {
  torch: '1.13.0',
  torchvision: '0.14.1',
  python: '3.11.2',
  threads: 2,
  blas: 'open',
  batch: 16,
  scratchStepSeconds: 0.14,
  forwardImagesPerSecond: 245,
  forwardDecodeImagesPerSecond: 90,
  headEpochSeconds: 0.03,
  headSamples: 2000,
  finetuneStepSeconds: 0.2,
  seconds: 12,
};

function cannedBook(): FigureBook {
  const book = new FigureBook();
  book.define('features', 'features.v2.wasm.ips', {
    label: 'MobileNetV2 0.35, wasm: images/s',
    unit: 'img/s',
    better: 'higher',
    target: { op: '>=', value: 120 },
  });
  book.define('scratch', 'scratch.stepSeconds', {
    label: 'Seconds per step',
    unit: 's',
    better: 'lower',
    target: { op: '<=', value: 0.5 },
  });
  book.define('scratch', 'scratch.epochSeconds', { label: 'Seconds per epoch', unit: 's', better: 'lower' });
  book.define('scratch', 'scratch.valAcc', {
    label: 'Validation accuracy',
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.8 },
    targetFullOnly: true,
  });
  book.define('bottleneck', 'bottleneck.valAcc', {
    label: 'Validation accuracy',
    unit: 'accuracy',
    better: 'higher',
    target: { op: '>=', value: 0.94 },
  });
  book.define('finetune', 'finetune.valAcc', { label: 'Validation accuracy', unit: 'accuracy', better: 'higher' });
  book.define('import', 'import.seconds', { label: 'Import 3000 JPEGs', unit: 's', better: 'lower', target: { op: '<=', value: 30 } });
  book.define('thumbnails', 'thumbs.firstScreen.seconds', { label: 'First screen', unit: 's', better: 'lower' });
  book.set('features.v2.wasm.ips', 122.5);
  book.set('scratch.stepSeconds', 0.42);
  book.set('scratch.epochSeconds', 52.5);
  book.set('scratch.valAcc', 0.71);
  book.set('bottleneck.valAcc', 0.951);
  book.set('import.seconds', 31.2);
  book.fail('finetune.valAcc', 'lds train failed: unknown mode finetune');
  book.failUnmeasured('thumbnails', 'lds serve printed no URL within 30 s');
  return book;
}

function canned(book: FigureBook, peerOk = true): BenchResult {
  if (peerOk) attachPeer(book, { ok: true, result: peer }, 2000);
  else attachPeer(book, { ok: false, reason: 'PyTorch is not installed' }, 2000);
  return {
    settings: QUICK,
    dataset: '../shared/data/cats_and_dogs_filtered',
    startedAt: '2026-11-27T02:45:00Z',
    wallSeconds: 480,
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      flags: ['avx2', 'fma'],
      memoryGiB: 24,
      kernel: '6.1',
      loadBefore: [0.2, 0.1, 0],
      loadAfter: [1.9, 1, 0.5],
    },
    versions: { node: '20.20.2', '@tensorflow/tfjs': '4.22.0', torch: peerOk ? '1.13.0' : null },
    backend: { name: 'wasm', threads: 2, simd: true, source: '`lds doctor --json`' },
    figures: book.all(),
    stages: [{ stage: 'import', seconds: 11.3, loadStart: 0.2, loadEnd: 1.4 }],
    peer: peerOk ? { ok: true, result: peer } : { ok: false, reason: 'PyTorch is not installed' },
    curves: [
      {
        label: 'bottleneck',
        mode: 'bottleneck',
        epochs: [
          { epoch: 1, acc: 0.8, valAcc: 0.9 },
          { epoch: 2, acc: 0.9, valAcc: 0.95 },
        ],
      },
    ],
    plots: [{ file: 'benchmarks/accuracy.png', title: 'Training curves: accuracy per epoch' }],
    beforeAfter: [{ label: 'feature extraction', before: '48 img/s', after: '130 img/s', source: 'bench/cpu-engine' }],
    notes: ['a note'],
  };
}

describe('figure book', () => {
  it('keeps undefined figures visible with a reason', () => {
    const book = new FigureBook();
    book.define('import', 'a', { label: 'A', unit: 's', better: 'lower' });
    book.define('import', 'b', { label: 'B', unit: 's', better: 'lower' });
    expect(book.get('a').reason).toBe(PENDING);
    book.set('a', 2);
    book.failUnmeasured('import', 'lds import is not implemented');
    expect(book.get('a')).toMatchObject({ value: 2 });
    expect(book.get('a').reason).toBeUndefined();
    expect(book.get('b')).toMatchObject({ value: null, reason: 'lds import is not implemented' });
    book.set('a', null);
    expect(book.get('a').reason).toBe('the command did not report it');
    expect(() => book.get('nope')).toThrow(/never defined/);
  });
});

describe('peer pairing', () => {
  it('puts the peer beside the same network and derives epoch figures from steps', () => {
    const book = cannedBook();
    attachPeer(book, { ok: true, result: peer }, 2000);
    expect(book.get('scratch.stepSeconds').peer?.value).toBe(0.14);
    expect(book.get('scratch.epochSeconds').peer?.value).toBeCloseTo(0.14 * 125);
    expect(book.get('features.v2.wasm.ips').peer?.note).toMatch(/decode excluded; 90 img\/s with PIL decode/);
    expect(book.get('import.seconds').peer).toBeUndefined();
    // A scratch run on a 480-image subset is compared with 30 peer steps, not 125.
    const subset = cannedBook();
    attachPeer(subset, { ok: true, result: peer }, 2000, 480);
    expect(subset.get('scratch.epochSeconds').peer?.value).toBeCloseTo(0.14 * 30);
    const cells = peerCells(book.get('scratch.stepSeconds'));
    expect(cells.ratio).toBe('3.00');
    expect(cells.speed).toBe('3.00x slower');
    expect(peerCells(book.get('features.v2.wasm.ips')).speed).toBe('2.00x slower');
  });

  it('compares with the faster of the peer at our thread count and at one thread, showing both', () => {
    const loaded: PeerResult = { ...peer, scratchStepSeconds: 1.6, forwardImagesPerSecond: 6 };
    const single: PeerResult = { ...peer, threads: 1, scratchStepSeconds: 0.6, forwardImagesPerSecond: 46 };
    const outcome = { ok: true as const, result: loaded, single };
    expect(peerValue(outcome, (p) => p.scratchStepSeconds, 'lower')).toEqual({
      value: 0.6,
      threadsNote: '1 thread was faster; 2 threads: 1.60, 1 thread: 0.600',
    });
    expect(peerValue(outcome, (p) => p.forwardImagesPerSecond, 'higher').value).toBe(46);
    // When the configured thread count wins, it is the one compared.
    expect(
      peerValue({ ok: true, result: peer, single: { ...peer, scratchStepSeconds: 0.25 } }, (p) => p.scratchStepSeconds, 'lower').value,
    ).toBe(0.14);
    const book = cannedBook();
    attachPeer(book, outcome, 2000);
    expect(book.get('scratch.stepSeconds').peer).toMatchObject({ value: 0.6 });
    expect(book.get('scratch.stepSeconds').peer?.note).toContain('1 thread was faster');
  });

  it('says why when the peer is missing', () => {
    const book = cannedBook();
    attachPeer(book, { ok: false, reason: 'PyTorch is not installed' }, 2000);
    expect(peerCells(book.get('scratch.stepSeconds'))).toEqual({ peer: 'n/a (PyTorch is not installed)', ratio: '—', speed: '—' });
  });
});

describe('stock baselines', () => {
  it("pairs the issues' stock TF.js figures with the first measured figure of ours", () => {
    const book = new FigureBook();
    for (const id of [
      'engine.scratchStep.2',
      'doctor.scratchStep',
      'scratch.stepSeconds',
      'engine.features.2',
      'doctor.featureIps',
      'bottleneck.headEpochSeconds',
    ])
      book.define('engine', id, { label: id, unit: 's', better: 'lower' });
    book.define('features', 'features.v2.wasm.ips', { label: 'wasm features', unit: 'img/s', better: 'higher' });
    book.set('scratch.stepSeconds', 0.6);
    book.set('features.v2.wasm.ips', 130);
    const rows = stockBaselines(book);
    expect(rows.map((r) => r.after)).toEqual(['0.600 s (scratch.stepSeconds)', '130 img/s (wasm features)', 'not measured in this run']);
    expect(rows[0]!.before).toMatch(/155 s/);
  });
});

describe('findings', () => {
  it('says where the time goes from figures of the same run', () => {
    const book = new FigureBook();
    book.define('scratch', 'scratch.stepSeconds', { label: 'a', unit: 's', better: 'lower' });
    book.define('engine', 'engine.scratchStep.2', { label: 'b', unit: 's', better: 'lower' });
    book.define('features', 'features.decodeOnly.ips', { label: 'c', unit: 'img/s', better: 'higher' });
    book.define('features', 'features.v2.wasm.ips', { label: 'd', unit: 'img/s', better: 'higher' });
    expect(findings(book)).toEqual([]);
    book.set('scratch.stepSeconds', 1.95);
    book.set('engine.scratchStep.2', 0.6);
    book.set('features.decodeOnly.ips', 400);
    book.set('features.v2.wasm.ips', 65);
    const out = findings(book);
    expect(out[0]).toMatch(/1\.95 s against 0\.600 s .*\(3\.25x\)/);
    expect(out[1]).toMatch(/bound by the forward pass/);
    book.set('scratch.stepSeconds', 0.7);
    expect(findings(book)).toHaveLength(1);
  });
});

describe('report writer', () => {
  it('verdicts: met, missed, full-run only, not measured', () => {
    const book = cannedBook();
    expect(targetVerdict(book.get('features.v2.wasm.ips'), 'quick')).toBe('≥ 120 img/s: met');
    expect(targetVerdict(book.get('import.seconds'), 'quick')).toBe('≤ 30.0 s: missed');
    expect(targetVerdict(book.get('scratch.valAcc'), 'quick')).toBe('≥ 0.800 (full run only)');
    expect(targetVerdict(book.get('scratch.valAcc'), 'full')).toBe('≥ 0.800: missed');
    expect(targetVerdict(book.get('thumbs.firstScreen.seconds'), 'full')).toBe('');
  });

  it('renders every section, the machine, the peer, the references and the missing figures', () => {
    const md = renderReport(canned(cannedBook()));
    expect(md).toContain('| CPU | AMD EPYC |');
    expect(md).toMatch(
      /## Headline\n\n\| Figure \| Ours \| Target \(issues\) \| Speed vs PyTorch peer \|\n\| --- \| --- \| --- \| --- \|\n\| Import: Import 3000 JPEGs \| 31\.2 s \| ≤ 30\.0 s: missed \| {2}\|/,
    );
    expect(md).toContain('| Scratch CNN: Seconds per step | 0.420 s | ≤ 0.500 s: met | 3.00x slower |');
    expect(md).toContain('| SIMD flags | avx2 fma |');
    expect(md).toContain('| import | 11.3 | 0.2 → 1.4 |');
    expect(md).toContain('wasm, threads 2, SIMD on');
    expect(md).toContain('PyTorch 1.13.0 / torchvision 0.14.1');
    expect(md).toContain('OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the peer only');
    expect(md).toMatch(
      /\| Seconds per step \| 0\.420 s \| ≤ 0\.500 s: met \| 0\.140 s \(one step, no augmentation or decode\) \| 3\.00 \| 3\.00x slower \|/,
    );
    // Reference table: published figure beside ours, or the reason ours is missing.
    expect(md).toMatch(/VGG16 bottleneck features \+ small head \| Keras "very little data" blog \| ~0\.90–0\.91 \| 0\.951 \|/);
    expect(md).toMatch(/VGG16 top block fine-tuned .*\| not available: lds train failed: unknown mode finetune \|/);
    expect(md).toContain('![Training curves: accuracy per epoch](benchmarks/accuracy.png)');
    expect(md).toContain('| feature extraction | 48 img/s | 130 img/s | bench/cpu-engine |');
    expect(md).toContain('- lds serve printed no URL within 30 s: Thumbnails / First screen');
    expect(md).toContain('- a note');
    expect(md).not.toContain('undefined');
    expect(md).not.toContain('NaN');
  });

  it('still reports ours when the peer is absent', () => {
    const md = renderReport(canned(cannedBook(), false));
    expect(md).toContain('| Peer | not run: PyTorch is not installed |');
    expect(md).toContain('| torch | not installed |');
    expect(md).toContain('0.420 s');
  });

  it('groups missing figures by reason', () => {
    const book = cannedBook();
    const groups = groupByReason(book.all().filter((f) => f.value == null));
    expect([...groups.keys()]).toEqual(['lds train failed: unknown mode finetune', 'lds serve printed no URL within 30 s']);
  });
});

describe('curves and plots', () => {
  it('reads epochs from `lds runs --json` in either spelling', () => {
    const runs = {
      runs: [
        { id: 'r1', mode: 'scratch', epochs: [{ epoch: 1, loss: 0.7, acc: 0.5, val_loss: 0.69, val_acc: 0.55, seconds: 60 }] },
        { id: 'r2' },
      ],
    };
    const run = findRun(runs, 'r1');
    expect(run).not.toBeNull();
    const curve = curveOfRun(run!, 'scratch');
    expect(curve?.epochs).toEqual([{ epoch: 1, loss: 0.7, acc: 0.5, valLoss: 0.69, valAcc: 0.55, seconds: 60 }]);
    expect(curveOfRun(findRun(runs, 'r2')!, 'x')).toBeNull();
    expect(findRun(runs, 'nope')).toBeNull();
  });

  it('reads the epoch lines `lds train` prints on stderr', () => {
    const stderr =
      'run r1: bottleneck because ...\nepoch 1: loss 0.5123 acc 80.5% val_loss 0.3000 val_acc 90.0% (1.25 s)\nnoise\nepoch 2: loss 0.4000 acc 85.0% val_loss - val_acc -% (0.90 s)\n';
    expect(parseEpochLines(stderr)).toEqual([
      { epoch: 1, loss: 0.5123, acc: 0.805, valLoss: 0.3, valAcc: 0.9, seconds: 1.25 },
      { epoch: 2, loss: 0.4, acc: 0.85, valLoss: null, valAcc: null, seconds: 0.9 },
    ]);
    expect(parseEpochLines('nothing')).toEqual([]);
  });

  it('draws a chart with one path per non-empty series and a legend entry per series', () => {
    const svg = lineChartSvg(
      accuracyChart([
        {
          label: 'scratch <a>',
          mode: 'scratch',
          epochs: [
            { epoch: 1, acc: 0.6, valAcc: 0.62 },
            { epoch: 2, acc: 0.7, valAcc: 0.66 },
          ],
        },
      ]),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('scratch &lt;a&gt; val');
    expect(svg).not.toContain('NaN');
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('report files', () => {
  it('writes benchmarks.md, its JSON and PNG training curves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lds-bench-docs-'));
    try {
      const result = canned(cannedBook());
      const path = await writeReport({ ...result, plots: [] }, dir);
      const md = readFileSync(path, 'utf8');
      expect(md).toContain('![Training curves: accuracy per epoch](benchmarks/accuracy.png)');
      const png = readFileSync(join(dir, 'benchmarks/accuracy.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // The canned curve has no loss values: no empty loss plot is written or linked.
      expect(existsSync(join(dir, 'benchmarks/loss.png'))).toBe(false);
      expect(md).not.toContain('loss.png');
      expect(JSON.parse(readFileSync(join(dir, 'benchmarks.json'), 'utf8')).settings.name).toBe('quick');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
