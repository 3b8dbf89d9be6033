import { z } from 'zod';
import { command } from './define';
import { empty, idSchema, ok } from './common';

/**
 * Augmentation parameters under the names Keras ImageDataGenerator users already know, with Keras 2.x
 * semantics (docs/facts.md). Only the parameters that change pixels are here; every one has a default
 * that leaves the image untouched, so `{}` is "no augmentation".
 */
export const FILL_MODES = ['nearest', 'constant', 'reflect', 'wrap'] as const;
export const fillModeSchema = z.enum(FILL_MODES, {
  error: () => `fill_mode must be one of ${FILL_MODES.join(', ')}`,
});
export type FillMode = z.infer<typeof fillModeSchema>;

const finite = (name: string) =>
  z.number({ error: () => `${name} must be a number` }).refine(Number.isFinite, { message: `${name} must be a finite number` });

const nonNegative = (name: string, unit = '') =>
  finite(name).refine((v) => v >= 0, { message: `${name} must be 0 or more${unit} (it is a range: values are drawn from [-r, r])` });

/** A fraction of the size (< 1), a number of pixels (≥ 1), or a list of values to pick from. */
const shiftSchema = (name: string) =>
  z.union(
    [
      nonNegative(name),
      z
        .array(finite(name), { error: () => `${name} must be a number or a list of numbers` })
        .min(1, { message: `${name} list must not be empty` }),
    ],
    { error: () => `${name} must be a number (fraction of the size if below 1, pixels otherwise) or a list of numbers` },
  );

const zoomSchema = z.union(
  [
    finite('zoom_range').refine((v) => v >= 0 && v < 1, {
      message: 'zoom_range must be at least 0 and below 1 (it means [1 - z, 1 + z]; a zoom of 0 or less is impossible)',
    }),
    z
      .tuple([finite('zoom_range[0]'), finite('zoom_range[1]')], { error: () => 'zoom_range must be a number or a pair [lo, hi]' })
      .refine(([lo]) => lo > 0, { message: 'zoom_range lower bound must be above 0 (a zoom of 0 is impossible)' })
      .refine(([lo, hi]) => lo <= hi, { message: 'zoom_range must be [lo, hi] with lo <= hi' }),
  ],
  { error: () => 'zoom_range must be a number in [0, 1) or a pair [lo, hi] with 0 < lo <= hi' },
);

const brightnessSchema = z
  .tuple([finite('brightness_range[0]'), finite('brightness_range[1]')], {
    error: () => 'brightness_range must be null or a pair [lo, hi]',
  })
  .refine(([lo]) => lo >= 0, { message: 'brightness_range lower bound must be 0 or more' })
  .refine(([lo, hi]) => lo <= hi, { message: 'brightness_range must be [lo, hi] with lo <= hi' })
  .nullable();

const unknownKeyMessage = (issue: { code?: string; keys?: readonly PropertyKey[] }): string | undefined =>
  issue.code === 'unrecognized_keys'
    ? `not an augmentation parameter: ${(issue.keys ?? []).map(String).join(', ')} (supported: the ImageDataGenerator parameters that change pixels: ${AUGMENT_PARAM_NAMES.join(', ')})`
    : undefined;

export const AUGMENT_PARAM_NAMES = [
  'rotation_range',
  'width_shift_range',
  'height_shift_range',
  'shear_range',
  'zoom_range',
  'horizontal_flip',
  'vertical_flip',
  'fill_mode',
  'cval',
  'brightness_range',
  'channel_shift_range',
  'rescale',
] as const;

export const augmentParamsSchema = z.strictObject(
  {
    rotation_range: nonNegative('rotation_range', ' degrees')
      .refine((v) => v <= 180, { message: 'rotation_range must be at most 180 degrees' })
      .default(0),
    width_shift_range: shiftSchema('width_shift_range').default(0),
    height_shift_range: shiftSchema('height_shift_range').default(0),
    shear_range: nonNegative('shear_range', ' degrees')
      .refine((v) => v < 90, { message: 'shear_range is in degrees and must be below 90 (0.2 radians is 11.46 degrees)' })
      .default(0),
    zoom_range: zoomSchema.default(0),
    horizontal_flip: z.boolean({ error: () => 'horizontal_flip must be true or false' }).default(false),
    vertical_flip: z.boolean({ error: () => 'vertical_flip must be true or false' }).default(false),
    fill_mode: fillModeSchema.default('nearest'),
    cval: finite('cval').default(0),
    brightness_range: brightnessSchema.default(null),
    channel_shift_range: nonNegative('channel_shift_range').default(0),
    rescale: finite('rescale')
      .refine((v) => v > 0, { message: 'rescale must be above 0 (use null for no rescaling)' })
      .nullable()
      .default(null),
  },
  { error: unknownKeyMessage },
);

export type AugmentParams = z.output<typeof augmentParamsSchema>;
export type AugmentParamsInput = z.input<typeof augmentParamsSchema>;

export const presetNameSchema = z
  .string()
  .trim()
  .min(1, { message: 'preset name must not be empty' })
  .max(64, { message: 'preset name must be at most 64 characters' });

export const augmentPresetSchema = z.object({
  name: z.string(),
  builtin: z.boolean(),
  params: augmentParamsSchema,
});
export type AugmentPreset = z.infer<typeof augmentPresetSchema>;

export const PREVIEW_MAX_VARIANTS = 64;

export const augmentPreviewInputSchema = z
  .object({
    imageIds: z.array(idSchema).min(1).max(16).optional(),
    /** Picture files instead, in the project or not (`lds augment preview <path>`). */
    paths: z.array(z.string().min(1).max(4096)).min(1).max(16).optional(),
    n: z.number().int().min(1).max(PREVIEW_MAX_VARIANTS).default(9),
    /** Index of the first variant (variant k is what training feeds in epoch k + 1): long runs preview in pages. */
    first: z.number().int().min(0).max(100_000).default(0),
    /** Either explicit parameters or a preset by name; neither means no augmentation. */
    params: augmentParamsSchema.optional(),
    preset: presetNameSchema.optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    /** Square model input size (what training sees), or 'source' for the image's own resolution. */
    size: z.union([z.number().int().min(16).max(1024), z.literal('source')]).default(224),
    /** 'png': the exact pixels (what `lds augment preview` writes); 'jpeg': small and quick, for the Augment view's grid. */
    format: z.enum(['png', 'jpeg']).default('png'),
    /**
     * A key of the caller's choosing (one per view): a later request under the same key makes the engine
     * drop this one at its next step, answering conflict, so a slider drag never waits for stale pictures.
     */
    supersede: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((v) => !(v.params && v.preset), { message: 'give params or preset, not both' })
  .refine((v) => (v.imageIds === undefined) !== (v.paths === undefined), { message: 'give exactly one of imageIds and paths' });

export const augmentPreviewImageSchema = z.object({
  /** Null for a picture given by path. */
  imageId: idSchema.nullable(),
  width: z.number().int(),
  height: z.number().int(),
  /** Data URLs in the asked format (PNG by default). */
  original: z.string(),
  variants: z.array(z.string()),
});

export const augmentPreviewOutputSchema = z.object({
  params: augmentParamsSchema,
  seed: z.number().int(),
  images: z.array(augmentPreviewImageSchema),
  /** Time spent augmenting (not decoding or encoding), for the latency readout. */
  augmentMs: z.number(),
});
export type AugmentPreviewResult = z.infer<typeof augmentPreviewOutputSchema>;

export const augmentCommands = {
  'augment.presets': command(empty, z.array(augmentPresetSchema)),
  /** Creates or overwrites a user preset (built-ins are read-only). */
  'augment.savePreset': command(z.object({ name: presetNameSchema, params: augmentParamsSchema }).strict(), augmentPresetSchema),
  'augment.renamePreset': command(z.object({ from: presetNameSchema, to: presetNameSchema }).strict(), augmentPresetSchema),
  'augment.duplicatePreset': command(z.object({ from: presetNameSchema, to: presetNameSchema }).strict(), augmentPresetSchema),
  'augment.deletePreset': command(z.object({ name: presetNameSchema }).strict(), ok),
  'augment.preview': command(augmentPreviewInputSchema, augmentPreviewOutputSchema),
};
