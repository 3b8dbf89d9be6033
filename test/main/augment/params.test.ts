import { describe, expect, test } from 'vitest';
import { augmentParamsSchema } from '@shared/contract/augment';
import { AugmentParamsError, parseAugmentParams } from '../../../src/main/augment';

describe('augmentation parameters', () => {
  test('an empty object is "no augmentation", with Keras defaults', () => {
    expect(augmentParamsSchema.parse({})).toEqual({
      rotation_range: 0,
      width_shift_range: 0,
      height_shift_range: 0,
      shear_range: 0,
      zoom_range: 0,
      horizontal_flip: false,
      vertical_flip: false,
      fill_mode: 'nearest',
      cval: 0,
      brightness_range: null,
      channel_shift_range: 0,
      rescale: null,
    });
  });

  test('every Keras form is accepted', () => {
    const p = parseAugmentParams({
      rotation_range: 40,
      width_shift_range: 12,
      height_shift_range: [-0.1, 0, 0.1],
      shear_range: 11.46,
      zoom_range: [0.8, 1.5],
      horizontal_flip: true,
      vertical_flip: true,
      fill_mode: 'reflect',
      cval: 128,
      brightness_range: [0.5, 1.5],
      channel_shift_range: 20,
      rescale: 1 / 255,
    });
    expect(p.zoom_range).toEqual([0.8, 1.5]);
  });

  test.each([
    [{ rotation_range: -5 }, /rotation_range: rotation_range must be 0 or more degrees/],
    [{ rotation_range: 270 }, /rotation_range must be at most 180 degrees/],
    [{ width_shift_range: -0.1 }, /width_shift_range/],
    [{ height_shift_range: [] }, /height_shift_range/],
    [{ shear_range: 90 }, /shear_range is in degrees and must be below 90/],
    [{ zoom_range: 1 }, /zoom_range must be .*a zoom of 0/],
    [{ zoom_range: [0, 1] }, /zoom_range/],
    [{ zoom_range: [1.2, 0.8] }, /zoom_range/],
    [{ fill_mode: 'mirror' }, /fill_mode: fill_mode must be one of nearest, constant, reflect, wrap/],
    [{ horizontal_flip: 'yes' }, /horizontal_flip must be true or false/],
    [{ brightness_range: [1.5, 0.5] }, /brightness_range must be \[lo, hi\] with lo <= hi/],
    [{ brightness_range: 0.2 }, /brightness_range must be null or a pair/],
    [{ channel_shift_range: -1 }, /channel_shift_range must be 0 or more/],
    [{ rescale: 0 }, /rescale must be above 0 \(use null for no rescaling\)/],
    [{ cval: 'black' }, /cval must be a number/],
    [{ featurewise_center: true }, /not an augmentation parameter: featurewise_center \(supported: .*rotation_range/],
  ])('%j is refused with a clear message', (input, message) => {
    expect(() => parseAugmentParams(input, 'preset "x"')).toThrow(AugmentParamsError);
    expect(() => parseAugmentParams(input, 'preset "x"')).toThrow(message);
    expect(() => parseAugmentParams(input, 'preset "x"')).toThrow(/^preset "x": /);
  });

  test('JSON text is parsed, and broken JSON says so', () => {
    expect(parseAugmentParams('{"rotation_range": 10}').rotation_range).toBe(10);
    expect(() => parseAugmentParams('{rotation', '--params')).toThrow(/--params: not valid JSON/);
  });
});
