import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { accuracyChart, lineChartSvg, lossChart } from './plot';
import { renderReport } from './report';
import type { BenchResult, Plot } from './result';

/** Renders the curves as PNGs under docs/benchmarks/ and writes docs/benchmarks.md. */
export async function writeReport(result: BenchResult, docsDir: string): Promise<string> {
  mkdirSync(docsDir, { recursive: true });
  const plots: Plot[] = [];
  const curves = result.curves.filter((c) => c.epochs.length > 0);
  if (curves.length) {
    mkdirSync(join(docsDir, 'benchmarks'), { recursive: true });
    for (const [file, spec] of [
      ['benchmarks/accuracy.png', accuracyChart(curves)],
      ['benchmarks/loss.png', lossChart(curves)],
    ] as const) {
      if (!spec.series.some((s) => s.points.length)) continue;
      await sharp(Buffer.from(lineChartSvg(spec)))
        .png()
        .toFile(join(docsDir, file));
      plots.push({ file, title: spec.title });
    }
  }
  const path = join(docsDir, 'benchmarks.md');
  writeFileSync(path, renderReport({ ...result, plots }));
  writeFileSync(join(docsDir, 'benchmarks.json'), `${JSON.stringify({ ...result, plots }, null, 2)}\n`);
  return path;
}
