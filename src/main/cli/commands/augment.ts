import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { AugmentParams } from '@shared/contract';
import {
  AugmentParamsError,
  builtinPreset,
  decodeForPreview,
  displayPixels,
  encodePngRgb,
  parseAugmentParams,
  PresetService,
  previewVariants,
  readyForAugment,
  type PreviewSource,
} from '../../augment';
import { PresetsRepository } from '../../catalogue/presets-repository';
import { CATALOGUE_FILE } from '../../catalogue';
import { probeImageFile } from '../../images';
import { defineCommand, numberOption, UsageError, type CliContext } from '../command';

/**
 * `lds augment preview`: Keras' flow(save_to_dir=...) — the variants training would see, written as
 * PNGs, through the same decode and the same augmentation function as training and the app's preview.
 */
export default defineCommand({
  usage: 'augment preview <image-id|path>... [--preset NAME | --params JSON] [--n N] [--seed N] [--size N|source] --out DIR',
  options: {
    preset: { type: 'string' },
    params: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    size: { type: 'string' },
    out: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [sub, ...targets] = ctx.positionals;
    if (sub !== 'preview') throw new UsageError(sub ? `unknown augment command "${sub}" (try: augment preview)` : 'missing sub-command: augment preview');
    if (targets.length === 0) throw new UsageError('give at least one image id or path');
    const outArg = ctx.values.out;
    if (typeof outArg !== 'string' || !outArg) throw new UsageError('--out DIR is required');
    if (ctx.values.preset !== undefined && ctx.values.params !== undefined) throw new UsageError('give --preset or --params, not both');
    const n = numberOption(ctx.values, 'n', (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'a whole number from 1 to 1000') ?? 9;
    const seed = numberOption(ctx.values, 'seed', (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'a whole number from 0 to 4294967295') ?? 0;
    const size = parseSize(ctx.values.size);

    const params = await resolveParams(ctx);
    const sources = await Promise.all(targets.map((t) => resolveSource(ctx, t)));
    const outDir = resolve(outArg);
    await mkdir(outDir, { recursive: true });
    await readyForAugment();

    const files: string[] = [];
    let augmentMs = 0;
    for (const { source, stem } of sources) {
      const decoded = await decodeForPreview(source, size);
      const started = performance.now();
      const pixels = previewVariants(decoded, source.sha256, n, params, seed);
      augmentMs += performance.now() - started;
      const write = async (name: string, data: ArrayLike<number>): Promise<void> => {
        const file = join(outDir, name);
        await writeFile(file, encodePngRgb(data, pixels.width, pixels.height));
        files.push(file);
      };
      await write(`${stem}-original.png`, pixels.original);
      for (const [k, variant] of pixels.variants.entries()) await write(`${stem}-variant-${k}.png`, displayPixels(variant, params));
      ctx.err(`${stem}: ${n} variants at ${pixels.width}x${pixels.height}`);
    }
    const ms = Math.round(augmentMs * 10) / 10;
    if (ctx.json) ctx.printJson({ out: outDir, files, n, seed, params, previewMs: ms });
    else ctx.out(`wrote ${files.length} PNGs to ${outDir}`);
  },
});

function parseSize(raw: unknown): number | 'source' {
  if (raw === undefined) return 224;
  if (raw === 'source') return 'source';
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 16 || n > 1024) {
    throw new UsageError(`--size must be a whole number from 16 to 1024 or "source", got "${String(raw)}"`);
  }
  return n;
}

async function resolveParams(ctx: CliContext): Promise<AugmentParams> {
  const { params, preset } = ctx.values;
  try {
    if (typeof params === 'string') return parseAugmentParams(params, '--params');
  } catch (error) {
    if (error instanceof AugmentParamsError) throw new UsageError(error.message);
    throw error;
  }
  const name = typeof preset === 'string' ? preset : 'none';
  const builtin = builtinPreset(name);
  if (builtin) return builtin.params;
  await ctx.openProject();
  return new PresetService(ctx.engine.projects.require().catalogue.repo(PresetsRepository)).get(name).params;
}

/** An integer is an image id in the project; anything else is a picture file, in the project or not. */
async function resolveSource(ctx: CliContext, target: string): Promise<{ source: PreviewSource; stem: string }> {
  if (/^\d+$/.test(target)) {
    await ctx.openProject();
    const images = ctx.engine.projects.require().catalogue.images;
    const id = Number(target);
    const detail = images.detail(id);
    const source = images.source(id);
    if (!detail || !source) throw new Error(`no image with id ${id} in ${ctx.workspace}`);
    if (!source.path) throw new Error(`image ${id} has no file on disk (missing)`);
    return { source: { sha256: source.sha256, path: source.path, width: detail.width, height: detail.height }, stem: `image-${id}` };
  }
  const path = resolve(target);
  if (!existsSync(path)) {
    const hint = existsSync(join(ctx.workspace, CATALOGUE_FILE)) ? '' : ' (an image id needs --workspace)';
    throw new Error(`no such file: ${path}${hint}`);
  }
  const probed = await probeImageFile(path);
  if (!probed.ok) throw new Error(`${path}: ${probed.reason}`);
  const { sha256, width, height } = probed.image;
  return { source: { sha256, path, width, height }, stem: basename(path, extname(path)) };
}
