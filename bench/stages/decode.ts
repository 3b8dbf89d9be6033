import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BenchContext } from '../lib/context';

/**
 * Profiling aid for the slowest stage: how fast the input side alone (JPEG decode, centre crop,
 * resize to 224) can go with sharp, 2 images in flight per core. If this is far above the extraction
 * rate, the forward pass is the bottleneck; if close to it, the input pipeline is.
 */
export function defineDecodeFigures(ctx: BenchContext): void {
  ctx.book.define('features', 'features.decodeOnly.ips', {
    label: 'Input side alone: JPEG decode + centre crop + resize to 224 (sharp)',
    unit: 'img/s',
    better: 'higher',
    detail: 'bench calls sharp directly on the training images, 2 in flight per core: the ceiling the input pipeline puts on extraction',
  });
}

export async function runDecode(ctx: BenchContext): Promise<void> {
  const files = ['train/cats', 'train/dogs'].flatMap((d) => {
    const dir = join(ctx.dataset, d);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => join(dir, f));
  });
  const sample = files.slice(0, ctx.settings.name === 'quick' ? 600 : files.length);
  ctx.log(`decode: ${sample.length} JPEGs through sharp`);
  const inFlight = 2 * Math.max(1, (await import('node:os')).cpus().length);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sample.length) {
      const file = sample[next++]!;
      await sharp(file).resize(224, 224, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  ctx.book.set(
    'features.decodeOnly.ips',
    sample.length / ((performance.now() - started) / 1000),
    `${sample.length} images, ${inFlight} in flight`,
  );
}
