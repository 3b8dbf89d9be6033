/**
 * Latency of the Augment view's update: after a parameter changes, N variants of one image through the
 * same functions the engine's augment.preview uses (THE augmentation function, then PNG encoding for
 * the grid). The picture is decoded once, as the view keeps its sample images while sliders move.
 * Called by bench/stages/augment.ts; also runnable on its own after `npm run bench` compiled it.
 */
import { augmentParamsSchema } from '@shared/contract/augment';
import { decodeForPreview, displayPixels, encodePngRgb, previewVariants, readyForAugment } from '../src/main/augment';
import { probeImageFile } from '../src/main/images';

export interface AugmentLatencyOptions {
  image: string;
  variants?: number;
  repeats?: number;
  size?: number;
}

export interface AugmentLatencyResult {
  /** Augment + PNG-encode N variants, one sample per parameter change. */
  samplesMs: number[];
  /** The augmentation alone (no encoding), same repetitions. */
  augmentOnlyMs: number[];
  width: number;
  height: number;
}

export async function measureAugmentLatency(options: AugmentLatencyOptions): Promise<AugmentLatencyResult> {
  const n = options.variants ?? 9;
  const repeats = options.repeats ?? 20;
  await readyForAugment();
  const probed = await probeImageFile(options.image);
  if (!probed.ok) throw new Error(`${options.image}: ${probed.reason}`);
  const { sha256, width, height } = probed.image;
  const image = await decodeForPreview({ sha256, path: options.image, width, height }, options.size ?? 224);
  const samplesMs: number[] = [];
  const augmentOnlyMs: number[] = [];
  // One warm-up, then every repetition is a "slider moved" with different values, as in the view.
  for (let i = -1; i < repeats; i++) {
    const params = augmentParamsSchema.parse({
      rotation_range: 10 + (i + 1) * 2,
      width_shift_range: 0.2,
      height_shift_range: 0.2,
      shear_range: 11.46,
      zoom_range: 0.2,
      horizontal_flip: true,
      fill_mode: 'nearest',
    });
    const started = performance.now();
    const pixels = previewVariants(image, sha256, n, params, 1);
    const augmented = performance.now();
    for (const v of pixels.variants) encodePngRgb(displayPixels(v, params), pixels.width, pixels.height);
    const done = performance.now();
    if (i >= 0) {
      samplesMs.push(done - started);
      augmentOnlyMs.push(augmented - started);
    }
  }
  return { samplesMs, augmentOnlyMs, width: image.width, height: image.height };
}
