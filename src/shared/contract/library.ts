import { z } from 'zod';
import { command } from './define';
import { leakPairSchema } from './evaluation';
import { colourSchema, empty, idSchema, imageStatusSchema, jobStartedSchema, labelSourceSchema, ok, splitSchema } from './common';

export const classInfoSchema = z.object({
  id: idSchema,
  name: z.string(),
  colour: colourSchema,
  hotkey: z.string().nullable(),
  position: z.number().int(),
  count: z.number().int(),
});
export type ClassInfo = z.infer<typeof classInfoSchema>;

/** `lds status --json` prints exactly this. */
export const statusSchema = z.object({
  images: z.number().int(),
  classes: z.array(z.object({ name: z.string(), count: z.number().int(), splits: z.record(z.string(), z.number().int()) })),
  splits: z.object({
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
    unassigned: z.number().int(),
  }),
  unlabelled: z.number().int(),
  predicted: z.number().int(),
  missing: z.number().int(),
  corrupt: z.number().int(),
  /** Kept but decoded only by patching over bad data (a scrambled JPEG): the Library's "damaged" filter. */
  damaged: z.number().int(),
  duplicates: z.number().int(),
  /** Pictures found under two or more class folders, unlabelled until the user picks (filter 'conflict'). */
  conflicts: z.number().int(),
  /** `lds status` only: near-duplicate pairs across splits (perceptual hash), see health.check. */
  leaks: z.number().int().optional(),
  leakPairs: z.array(leakPairSchema).optional(),
});
export type StatusSummary = z.infer<typeof statusSchema>;

/**
 * 'leak': in a near-duplicate pair across splits, as of the last data-health check (health.check).
 * 'damaged': decodes, but only by patching over bad data (see imageDetail.damage).
 * 'conflict': the same picture under two or more class folders, not yet labelled by the user.
 */
export const LIBRARY_FILTERS = [
  'all',
  'unlabelled',
  'predicted',
  'missing',
  'corrupt',
  'damaged',
  'duplicate',
  'leak',
  'conflict',
] as const;
export const libraryFilterSchema = z.enum(LIBRARY_FILTERS);
export type LibraryFilter = z.infer<typeof libraryFilterSchema>;

/** One tile of the grid: everything the grid needs, nothing more (the whole list is sent at once). */
export const imageItemSchema = z.object({
  id: idSchema,
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  split: splitSchema,
  status: imageStatusSchema,
  /** Kept and usable, but the decoder had to patch over bad data: shown with a badge, the user decides. */
  damaged: z.boolean(),
  classId: idSchema.nullable(),
  labelSource: labelSourceSchema.nullable(),
  confidence: z.number().nullable(),
  duplicate: z.boolean(),
  /** A label conflict: its paths sit under different class folders and the user has not chosen. */
  conflict: z.boolean(),
});
export type ImageItem = z.infer<typeof imageItemSchema>;

export const imageDetailSchema = imageItemSchema.extend({
  sha256: z.string(),
  format: z.string(),
  bytes: z.number().int(),
  /** As a person reads them: bytes of a file name that are not UTF-8 show as U+FFFD. */
  paths: z.array(z.string()),
  /** The decoder's warning when damaged ("Corrupt JPEG data: …"), else null. */
  damage: z.string().nullable(),
  /** The classes whose folders hold a present copy, by id (two or more: a label conflict). */
  folderClassIds: z.array(idSchema),
});
export type ImageDetail = z.infer<typeof imageDetailSchema>;

export const labelEntrySchema = z.object({
  imageId: idSchema,
  classId: idSchema.nullable(),
  source: labelSourceSchema.default('manual'),
  confidence: z.number().min(0).max(1).nullable().default(null),
});
export type LabelEntry = z.infer<typeof labelEntrySchema>;

export const splitEntrySchema = z.object({ imageId: idSchema, split: splitSchema });
export type SplitEntry = z.infer<typeof splitEntrySchema>;

const columnName = z.string().trim().min(1).max(200);

/** Labels (and splits) from a CSV file beside the images: Kaggle's labels.csv. Columns found by name when not given. */
export const csvLabelsOptionsSchema = z
  .object({
    file: z.string().min(1).max(4096),
    pathColumn: columnName.optional(),
    labelColumn: columnName.optional(),
    /** null: the file has no split column to use (none is looked for). */
    splitColumn: columnName.nullable().optional(),
  })
  .strict();
export type CsvLabelsOptions = z.infer<typeof csvLabelsOptionsSchema>;

/** What a CSV file offers, read before importing (the import dialog's column pickers). */
export const csvColumnsSchema = z.object({
  file: z.string(),
  encoding: z.string(),
  delimiter: z.string(),
  columns: z.array(z.string()),
  rows: z.number().int(),
  /** The columns an import would use, with the ones named in the request (null: none found). */
  detected: z.object({ path: z.string().nullable(), label: z.string().nullable(), split: z.string().nullable() }),
  /** Why an import with these columns would stop before it starts (no label column), else null. */
  error: z.string().nullable(),
  /** Named columns that are not there, reported by an import but not fatal (a split column, say). */
  notes: z.array(z.string()),
});
export type CsvColumns = z.infer<typeof csvColumnsSchema>;

export const CSV_PROBLEM_KINDS = [
  'missing_file',
  'ambiguous',
  'duplicate',
  'conflict',
  'empty_label',
  'empty_path',
  'unknown_split',
  'column',
  'syntax',
] as const;
export const csvProblemKindSchema = z.enum(CSV_PROBLEM_KINDS);
export type CsvProblemKind = z.infer<typeof csvProblemKindSchema>;

/** How the rows of a labels CSV were used: every row that gave nothing says why, with its line. */
export const csvLabelsReportSchema = z.object({
  file: z.string(),
  encoding: z.string(),
  delimiter: z.string(),
  columns: z.object({ path: z.string(), label: z.string(), split: z.string().nullable() }),
  /** Columns of the file that were not used. */
  ignoredColumns: z.array(z.string()),
  rows: z.number().int(),
  /** Imported image files that took their label from a row. */
  labelled: z.number().int(),
  /** Images whose split was set from the split column. */
  split: z.number().int(),
  /** Image files found in the folders that no row gives a label (they keep their folder's, if any). */
  unlisted: z.number().int(),
  problemCounts: z.record(csvProblemKindSchema, z.number().int()),
  /** The first problems (all counted in problemCounts), each with the line of the file. */
  problems: z.array(z.object({ line: z.number().int(), kind: csvProblemKindSchema, message: z.string() })),
});
export type CsvLabelsReport = z.infer<typeof csvLabelsReportSchema>;

export const importOptionsSchema = z
  .object({
    paths: z.array(z.string().min(1).max(4096)).min(1).max(100),
    labels: csvLabelsOptionsSchema.optional(),
    valFraction: z.number().min(0).max(0.9).default(0.2),
    testFraction: z.number().min(0).max(0.9).default(0),
    seed: z.number().int().min(0).default(42),
  })
  .strict()
  .refine((o) => o.valFraction + o.testFraction < 1, { message: 'valFraction + testFraction must be below 1' });
export type ImportOptions = z.infer<typeof importOptionsSchema>;

/** A known path that now holds other content (edited in place): the new content keeps the path's label. */
export const editedFileSchema = z.object({
  path: z.string(),
  /** The label carried over to the new content (null: the path had none). */
  className: z.string().nullable(),
});
export type EditedFile = z.infer<typeof editedFileSchema>;

/** One picture under two or more class folders: it stays unlabelled until the user labels it. */
export const labelConflictSchema = z.object({
  imageId: idSchema,
  classes: z.array(z.string()),
  paths: z.array(z.string()),
});
export type LabelConflict = z.infer<typeof labelConflictSchema>;

export const importResultSchema = z.object({
  scanned: z.number().int(),
  added: z.number().int(),
  unchanged: z.number().int(),
  duplicates: z.number().int(),
  newPaths: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Known paths under the imported folders that are gone now (marked missing, as a rescan would). */
  missing: z.number().int(),
  /** Known paths that did not decode before and do now (their image is no longer corrupt). */
  recovered: z.number().int(),
  edited: z.array(editedFileSchema),
  /** Every label conflict among the imported pictures, found now or left unresolved before. */
  conflicts: z.array(labelConflictSchema),
  /** Present when labels came from a CSV file. */
  labels: csvLabelsReportSchema.optional(),
  cancelled: z.boolean(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const rescanResultSchema = z.object({
  checked: z.number().int(),
  /** Newly missing paths. */
  missing: z.number().int(),
  /** Paths that came back. */
  restored: z.number().int(),
  /** Paths whose bytes changed (edited in place, or no longer decoding). */
  changed: z.number().int(),
  /** Known paths that did not decode before and do now. */
  recovered: z.number().int(),
  edited: z.array(editedFileSchema),
  /** Every label conflict in the catalogue after the rescan. */
  conflicts: z.array(labelConflictSchema),
  cancelled: z.boolean(),
});
export type RescanResult = z.infer<typeof rescanResultSchema>;

const ids = z.array(idSchema).min(1).max(100_000);

export const libraryCommands = {
  'library.status': command(empty, statusSchema),
  'library.classes': command(empty, z.array(classInfoSchema)),
  'library.list': command(
    z
      .object({
        classId: z
          .union([idSchema, z.literal('unlabelled')])
          .nullable()
          .default(null),
        split: splitSchema.nullable().default(null),
        filter: libraryFilterSchema.default('all'),
      })
      .strict(),
    z.array(imageItemSchema),
  ),
  'library.image': command(z.object({ id: idSchema }).strict(), imageDetailSchema),
  /** The image each file path belongs to, or null for a path the catalogue does not know. */
  'library.imageIdsByPath': command(
    z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(100_000) }).strict(),
    z.array(idSchema.nullable()),
  ),
  /** Starts an import job; its result (with every skipped file and why) arrives in job.finished. */
  'library.import': command(importOptionsSchema, jobStartedSchema),
  /** Reads the header of a labels CSV: its columns and the ones an import would pick. */
  'library.csvColumns': command(csvLabelsOptionsSchema, csvColumnsSchema),
  /** Re-checks every known path: marks missing files, picks up files that came back. */
  'library.rescan': command(empty, jobStartedSchema),
  /** Sets labels and returns what they were before, so the caller can undo exactly. */
  'library.applyLabels': command(
    z.object({ entries: z.array(labelEntrySchema).min(1).max(100_000) }).strict(),
    z.object({ previous: z.array(labelEntrySchema) }),
  ),
  'library.applySplits': command(
    z.object({ entries: z.array(splitEntrySchema).min(1).max(100_000) }).strict(),
    z.object({ previous: z.array(splitEntrySchema) }),
  ),
  'classes.add': command(z.object({ name: z.string().trim().min(1).max(64), colour: colourSchema.optional() }).strict(), classInfoSchema),
  'classes.update': command(
    z
      .object({
        id: idSchema,
        name: z.string().trim().min(1).max(64).optional(),
        colour: colourSchema.optional(),
      })
      .strict(),
    classInfoSchema,
  ),
  'classes.reorder': command(z.object({ ids }).strict(), ok),
  /** Deleting a class asks what becomes of its labels: cleared, or moved to another class. */
  'classes.delete': command(z.object({ id: idSchema, moveLabelsTo: idSchema.nullable().default(null) }).strict(), ok),
};
