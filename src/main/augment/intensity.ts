import type { AugmentParams } from '@shared/contract/augment';
import type { SampledTransform } from './sample';

/**
 * The per-image intensity steps after the warp, in Keras' order, in place: channel shift (one
 * intensity for every channel, clipped to the image's own min/max as apply_channel_shift does),
 * brightness (a factor, clipped to 0..255 because Keras goes through an 8-bit PIL image), then rescale.
 * Done in the same JavaScript pass style as the warp: tfjs-wasm's broadcasting maximum/minimum took
 * ~100 ms for 9 images at 224, this takes a few.
 */
export function adjustIntensity(pixels: Float32Array, batch: number, transforms: readonly SampledTransform[], params: AugmentParams): void {
  const perImage = pixels.length / batch;
  const rescale = params.rescale;
  for (let b = 0; b < batch; b++) {
    const t = transforms[b]!;
    const start = b * perImage;
    const end = start + perImage;
    const shift = params.channel_shift_range ? (t.channel_shift_intensity ?? 0) : null;
    const brightness = params.brightness_range ? (t.brightness ?? 1) : null;
    if (shift === null && brightness === null && rescale === null) continue;
    let lo = Infinity;
    let hi = -Infinity;
    if (shift !== null) {
      for (let i = start; i < end; i++) {
        const v = pixels[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    for (let i = start; i < end; i++) {
      let v = pixels[i]!;
      if (shift !== null) v = Math.min(Math.max(v + shift, lo), hi);
      if (brightness !== null) v = Math.min(Math.max(v * brightness, 0), 255);
      if (rescale !== null) v *= rescale;
      pixels[i] = v;
    }
  }
}
