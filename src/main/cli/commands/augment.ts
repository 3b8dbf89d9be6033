import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { PREVIEW_MAX_VARIANTS, type AugmentParams } from '@shared/contract';
import { AugmentParamsError, parseAugmentParams } from '../../augment/params';
import { isBuiltinPreset } from '../../augment/presets';
import { defineCommand, numberOption, UsageError, type CliContext } from '../command';

/**
 * `lds augment preview`: Keras' flow(save_to_dir=...) — the variants training would see, written as
 * PNGs, through the same decode and the same augmentation function as training and the app's preview.
 */
export default defineCommand({
  forms: ['preview <image-id|path>... --out DIR'],
  options: {
    out: { type: 'string', value: 'DIR', description: 'folder the PNGs are written to (required)' },
    preset: {
      type: 'string',
      value: 'NAME',
      description: "augmentation preset (built-in or the project's); not with --params",
      default: 'no augmentation',
    },
    params: {
      type: 'string',
      value: 'JSON',
      description: 'augmentation parameters as JSON, e.g. \'{"horizontal_flip": true}\'; not with --preset',
    },
    n: { type: 'string', value: 'N', description: 'variants per image', default: '9', allowed: 'a whole number from 1 to 1000' },
    seed: {
      type: 'string',
      value: 'N',
      description: 'random seed of the variants',
      default: '0',
      allowed: 'a whole number from 0 to 4294967295',
    },
    size: {
      type: 'string',
      value: 'N',
      description: 'side of the square the image is resized to, or source for its own size',
      default: '224',
      allowed: 'a whole number from 16 to 1024, or source',
    },
  },
  notes: ['example: lds augment preview 12 photos/cat.jpg --preset keras-blog --n 16 --out previews'],
  allowPositionals: true,
  async run(ctx) {
    const [sub, ...targets] = ctx.positionals;
    if (sub !== 'preview')
      throw new UsageError(sub ? `unknown augment command "${sub}" (try: augment preview)` : 'missing sub-command: augment preview');
    if (targets.length === 0) throw new UsageError('give at least one image id or path');
    const outArg = ctx.values.out;
    if (typeof outArg !== 'string' || !outArg) throw new UsageError('--out DIR is required');
    if (ctx.values.preset !== undefined && ctx.values.params !== undefined) throw new UsageError('give --preset or --params, not both');
    const n = numberOption(ctx.values, 'n', (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'a whole number from 1 to 1000') ?? 9;
    const seed =
      numberOption(ctx.values, 'seed', (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'a whole number from 0 to 4294967295') ?? 0;
    const size = parseSize(ctx.values.size);

    const params = parseParams(ctx);
    const preset = typeof ctx.values.preset === 'string' ? ctx.values.preset : undefined;
    // Image ids and the project's own presets live in the project; pictures and built-in presets do not.
    if (targets.some(isImageId) || (preset !== undefined && !isBuiltinPreset(preset))) await ctx.openProject();
    const sources = targets.map((target) =>
      isImageId(target)
        ? { stem: `image-${target}`, which: { imageIds: [Number(target)] } }
        : { stem: basename(target, extname(target)), which: { paths: [existingFile(resolve(ctx.cwd, target))] } },
    );
    const outDir = resolve(ctx.cwd, outArg);
    await mkdir(outDir, { recursive: true });

    const files: string[] = [];
    let augmentMs = 0;
    let used: AugmentParams | null = null;
    for (const { stem, which } of sources) {
      const write = async (name: string, dataUrl: string): Promise<void> => {
        const file = join(outDir, name);
        await writeFile(file, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
        files.push(file);
      };
      let shape = '';
      // The contract pages variants: a long run's worth arrives a page at a time.
      for (let first = 0; first < n; first += PREVIEW_MAX_VARIANTS) {
        const count = Math.min(PREVIEW_MAX_VARIANTS, n - first);
        const page = await ctx.engine.call('augment.preview', {
          ...which,
          n: count,
          first,
          seed,
          size,
          ...(params ? { params } : { preset }),
        });
        const image = page.images[0]!;
        used = page.params;
        augmentMs += page.augmentMs;
        shape = `${image.width}x${image.height}`;
        if (first === 0) await write(`${stem}-original.png`, image.original);
        for (const [k, variant] of image.variants.entries()) await write(`${stem}-variant-${first + k}.png`, variant);
      }
      ctx.err(`${stem}: ${n} variants at ${shape}`);
    }
    const ms = Math.round(augmentMs * 10) / 10;
    if (ctx.json) ctx.printJson({ out: outDir, files, n, seed, params: used, previewMs: ms });
    else ctx.out(`wrote ${files.length} PNGs to ${outDir}`);
  },
});

const isImageId = (target: string): boolean => /^\d+$/.test(target);

function existingFile(path: string): string {
  if (!existsSync(path)) throw new Error(`no such file: ${path}`);
  return path;
}

function parseSize(raw: unknown): number | 'source' {
  if (raw === undefined) return 224;
  if (raw === 'source') return 'source';
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 16 || n > 1024) {
    throw new UsageError(`--size must be a whole number from 16 to 1024 or "source", got "${String(raw)}"`);
  }
  return n;
}

function parseParams(ctx: CliContext): AugmentParams | undefined {
  if (typeof ctx.values.params !== 'string') return undefined;
  try {
    return parseAugmentParams(ctx.values.params, '--params');
  } catch (error) {
    if (error instanceof AugmentParamsError) throw new UsageError(error.message);
    throw error;
  }
}
