import { z } from 'zod';

export const SPLITS = ['train', 'validation', 'test', 'unassigned'] as const;
export const splitSchema = z.enum(SPLITS);
export type Split = z.infer<typeof splitSchema>;

export const IMAGE_STATUSES = ['ok', 'missing', 'corrupt'] as const;
export const imageStatusSchema = z.enum(IMAGE_STATUSES);
export type ImageStatus = z.infer<typeof imageStatusSchema>;

export const LABEL_SOURCES = ['manual', 'folder', 'predicted'] as const;
export const labelSourceSchema = z.enum(LABEL_SOURCES);
export type LabelSource = z.infer<typeof labelSourceSchema>;

export const idSchema = z.number().int().positive();
export const jobIdSchema = z.string().min(1).max(64);
export const colourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour must look like #rrggbb');
export const empty = z.object({}).strict();
export const ok = z.object({ ok: z.literal(true) });

export const jobStartedSchema = z.object({ jobId: jobIdSchema });
export type JobStarted = z.infer<typeof jobStartedSchema>;
