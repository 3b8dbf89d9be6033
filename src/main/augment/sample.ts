import type { AugmentParams } from '@shared/contract/augment';
import { SLOTS, VariantRandom } from './random';

/**
 * The parameters of one variant, under the keys Keras' get_random_transform returns. As in Keras, tx is
 * the shift along rows (height) and ty along columns (width), both in pixels; zx scales rows and zy
 * columns; theta and shear are degrees.
 */
export interface SampledTransform {
  theta: number;
  tx: number;
  ty: number;
  shear: number;
  zx: number;
  zy: number;
  flip_horizontal: boolean;
  flip_vertical: boolean;
  channel_shift_intensity: number | null;
  brightness: number | null;
}

export const IDENTITY_TRANSFORM: SampledTransform = Object.freeze({
  theta: 0,
  tx: 0,
  ty: 0,
  shear: 0,
  zx: 1,
  zy: 1,
  flip_horizontal: false,
  flip_vertical: false,
  channel_shift_intensity: null,
  brightness: null,
});

/**
 * Draws the transform of variant `variantIndex` of the image whose content hash is `imageKey`.
 * Pure: the same arguments always give the same transform. `width`/`height` are the size the
 * augmentation runs at (fractional shifts are fractions of it).
 */
export function sampleTransform(
  params: AugmentParams,
  seed: number,
  imageKey: string,
  variantIndex: number,
  width: number,
  height: number,
): SampledTransform {
  const rnd = new VariantRandom(seed, imageKey, variantIndex);
  const r = params.rotation_range;
  const s = params.shear_range;
  const [zlo, zhi] = zoomBounds(params.zoom_range);
  const zoomed = zlo !== 1 || zhi !== 1;
  return {
    theta: r ? rnd.uniform(SLOTS.theta, -r, r) : 0,
    tx: sampleShift(params.height_shift_range, height, rnd, SLOTS.tx),
    ty: sampleShift(params.width_shift_range, width, rnd, SLOTS.ty),
    shear: s ? rnd.uniform(SLOTS.shear, -s, s) : 0,
    zx: zoomed ? rnd.uniform(SLOTS.zx, zlo, zhi) : 1,
    zy: zoomed ? rnd.uniform(SLOTS.zy, zlo, zhi) : 1,
    flip_horizontal: params.horizontal_flip && rnd.coin(SLOTS.flipHorizontal),
    flip_vertical: params.vertical_flip && rnd.coin(SLOTS.flipVertical),
    channel_shift_intensity: params.channel_shift_range
      ? rnd.uniform(SLOTS.channelShift, -params.channel_shift_range, params.channel_shift_range)
      : null,
    brightness: params.brightness_range ? rnd.uniform(SLOTS.brightness, params.brightness_range[0], params.brightness_range[1]) : null,
  };
}

/** Keras: a float z means [1 - z, 1 + z]; a pair is [lo, hi]. */
export function zoomBounds(zoom: AugmentParams['zoom_range']): [number, number] {
  return typeof zoom === 'number' ? [1 - zoom, 1 + zoom] : [zoom[0], zoom[1]];
}

/**
 * Keras' shift rules (facts.md): below 1 it is a fraction of the size; from 1 up it is pixels (an
 * integer range gives whole pixels); a list gives one of its values (fractions if all are below 1).
 */
function sampleShift(range: AugmentParams['width_shift_range'], size: number, rnd: VariantRandom, slot: number): number {
  if (Array.isArray(range)) {
    const value = range[rnd.integer(slot, 0, range.length - 1)] ?? 0;
    return Math.max(...range.map(Math.abs)) < 1 ? value * size : value;
  }
  if (!range) return 0;
  if (range < 1) return rnd.uniform(slot, -range, range) * size;
  if (Number.isInteger(range)) return rnd.integer(slot, -range, range);
  return rnd.uniform(slot, -range, range);
}
