import { augmentParamsSchema, type AugmentParams, type AugmentPreset } from '@shared/contract/augment';

/**
 * Built-in presets live in code, not in the catalogue, so they are read-only by construction and can
 * improve with the app; user presets are rows of augment_presets and may not take these names.
 */
const definitions: Record<string, Partial<AugmentParams>> = {
  none: {},
  light: {
    rotation_range: 10,
    width_shift_range: 0.1,
    height_shift_range: 0.1,
    zoom_range: 0.1,
    horizontal_flip: true,
    fill_mode: 'nearest',
  },
  // What the Keras "building powerful image classification models using very little data" blog
  // trained its small CNN with (train_datagen, the one behind its ~0.80): shear_range=0.2 was radians
  // (Keras 1), i.e. 11.46 degrees. Its rescale=1/255 is left to the model's own preprocessing.
  'keras-blog': {
    shear_range: 11.46,
    zoom_range: 0.2,
    horizontal_flip: true,
    fill_mode: 'nearest',
  },
  // The blog's illustration generator (rotation 40, shifts 0.2 as well): stronger, slower to fit.
  strong: {
    rotation_range: 40,
    width_shift_range: 0.2,
    height_shift_range: 0.2,
    shear_range: 11.46,
    zoom_range: 0.2,
    horizontal_flip: true,
    fill_mode: 'nearest',
  },
};

export const BUILTIN_PRESETS: readonly AugmentPreset[] = Object.entries(definitions).map(([name, params]) => ({
  name,
  builtin: true,
  params: augmentParamsSchema.parse(params),
}));

export function isBuiltinPreset(name: string): boolean {
  return Object.hasOwn(definitions, name);
}

export function builtinPreset(name: string): AugmentPreset | undefined {
  return BUILTIN_PRESETS.find((p) => p.name === name);
}
