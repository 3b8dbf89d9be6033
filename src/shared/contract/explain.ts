import { z } from 'zod';
import { command } from './define';
import { idSchema, jobStartedSchema } from './common';
import { uploadedPictureSchema } from './evaluation';
import { RESIZE_MODES } from './project';

/** Which picture to explain: a catalogue image, a file, or bytes (Try it in browser mode has no paths). */
export const explainInputSchema = z
  .object({
    runId: z.string().min(1).max(64),
    imageId: idSchema.optional(),
    /** An absolute image file, in the project or not. */
    path: z.string().min(1).max(4096).optional(),
    file: uploadedPictureSchema.optional(),
    /** The class whose evidence is shown; absent = the class the run predicts for the picture. */
    className: z.string().min(1).max(200).optional(),
    /** Also render the picture with the map blended over it (a PNG data URL in `overlay`). */
    overlay: z.boolean().default(false),
  })
  .strict()
  .refine((v) => [v.imageId, v.path, v.file].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of imageId, path and file',
  });
export type ExplainInput = z.input<typeof explainInputSchema>;

/** A Grad-CAM map of one picture: where the evidence for the explained class lies. */
export const explanationSchema = z.object({
  runId: z.string(),
  /** The picture as the user named it: its path, or the name given with its bytes. */
  image: z.string(),
  imageId: idSchema.nullable(),
  /** The run's classes, and the probabilities it gives the picture in that order. */
  classes: z.array(z.string()),
  probabilities: z.array(z.number()),
  predicted: z.string(),
  /** The class whose evidence the map shows (the predicted one unless another was asked for). */
  explained: z.string(),
  /** The feature map explained: the backbone's last one (bottleneck, fine-tune) or the last convolution (scratch). */
  layer: z.string(),
  gridWidth: z.number().int().positive(),
  gridHeight: z.number().int().positive(),
  /** gridHeight rows of gridWidth values, row-major, 0..1 (1 = the strongest evidence in this picture). */
  grid: z.array(z.number()),
  /** The largest raw value before scaling to 0..1; 0 means no part of the picture speaks for the class. */
  peak: z.number(),
  /** How the picture became the model's square: with 'centre-crop' the grid covers only its centred square. */
  fit: z.enum(RESIZE_MODES),
  /** The picture's size as seen (EXIF orientation applied). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** With `overlay: true`: the picture with the map over it, data:image/png;base64. */
  overlay: z.string().nullable(),
});
export type Explanation = z.infer<typeof explanationSchema>;

export const explainImagesInputSchema = z
  .object({
    runId: z.string().min(1).max(64),
    imageIds: z.array(idSchema).min(1).max(500),
    className: z.string().min(1).max(200).optional(),
  })
  .strict();

/** The result of an explain.images job: `overlay` is always null here. */
export const explainImagesResultSchema = z.object({
  explanations: z.array(explanationSchema),
  /** Pictures that could not be read, with why. */
  skipped: z.array(z.object({ imageId: idSchema, reason: z.string() })),
});
export type ExplainImagesResult = z.infer<typeof explainImagesResultSchema>;

export const explainCommands = {
  /** Grad-CAM of one picture with a finished run: a job (the model runs in a training process); its result is an Explanation. */
  'explain.image': command(explainInputSchema, jobStartedSchema),
  /** Grad-CAM of several catalogue pictures in one training process: a job; its result is ExplainImagesResult. */
  'explain.images': command(explainImagesInputSchema, jobStartedSchema),
};
