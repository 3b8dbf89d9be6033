import type { FigureBook } from './figures';
import type { BeforeAfter } from './result';
import { formatValue } from './stats';

/**
 * "Before" figures for stock TF.js 4.22 on this machine, as the issues record them (issues 5 and 6):
 * the starting point the CPU engine work is measured against.
 */
const STOCK: Array<{ label: string; before: string; figures: string[] }> = [
  {
    label: 'Scratch CNN train step, batch 16, 150 px',
    before: '~155 s (stock cpu backend; stock wasm cannot train conv nets)',
    figures: ['engine.scratchStep.2', 'doctor.scratchStep', 'scratch.stepSeconds'],
  },
  {
    label: 'MobileNetV2 0.35 features, decode included',
    before: '48 img/s (stock wasm, 1 thread); 4 img/s (cpu backend)',
    figures: ['features.v2.wasm.ips', 'engine.features.2', 'doctor.featureIps'],
  },
  { label: 'Pooled-features head, one epoch of 2000 vectors', before: '~1.9 s (stock wasm)', figures: ['bottleneck.headEpochSeconds'] },
];

export function stockBaselines(book: FigureBook): BeforeAfter[] {
  const out: BeforeAfter[] = [];
  for (const row of STOCK) {
    const figure = row.figures.map((id) => book.get(id)).find((f) => f.value != null);
    out.push({
      label: row.label,
      before: row.before,
      after: figure ? `${formatValue(figure.value, figure.unit)} (${figure.label})` : 'not measured in this run',
      source: 'before: issues 5/6 (stock TF.js 4.22 here); after: this run',
    });
  }
  return out;
}
