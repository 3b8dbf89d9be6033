import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AugmentParams, AugmentPreviewResult, CommandName } from '@shared/contract';
import {
  AugmentParamsError,
  AugmentPreviewService,
  builtinPreset,
  PresetError,
  PresetService,
  PreviewSuperseded,
  readyForAugment,
  type PreviewSource,
} from '../../augment';
import { PresetsRepository } from '../../catalogue/presets-repository';
import { probeImageFile } from '../../images';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';

type AugmentCommand = Extract<CommandName, `augment.${string}`>;

export function augmentHandlers(engine: Engine): HandlerMap<AugmentCommand> {
  // One per engine: the decoded samples and encoded tiles of the Augment view's recent previews.
  const previews = new AugmentPreviewService();
  const presets = (): PresetService => new PresetService(engine.projects.require().catalogue.repo(PresetsRepository));
  return {
    'augment.presets': () => guard(() => presets().list()),
    'augment.savePreset': ({ name, params }) => guard(() => presets().save(name, params)),
    'augment.renamePreset': ({ from, to }) => guard(() => presets().rename(from, to)),
    'augment.duplicatePreset': ({ from, to }) => guard(() => presets().duplicate(from, to)),
    'augment.deletePreset': ({ name }) =>
      guard(() => {
        presets().delete(name);
        return { ok: true as const };
      }),
    'augment.preview': async ({ imageIds, paths, n, first, params, preset, seed, size, format, supersede }) => {
      // Claimed before any await: a newer request under this key must overtake this one from here on.
      const isCurrent = previews.claim(supersede);
      const name = preset ?? 'none';
      // Built-in presets need no project: `lds augment preview photo.jpg` works anywhere.
      const chosen: AugmentParams = params ?? builtinPreset(name)?.params ?? guard(() => presets().get(name).params);
      await readyForAugment();
      // The open project's resize mode, as its training decodes; without a project, stretch.
      const fit = engine.projects.current()?.resizeMode ?? 'stretch';
      const options = { size, fit, n, first, params: chosen, seed, format };
      const run = async (sources: { imageId: number | null; source: PreviewSource }[]): Promise<AugmentPreviewResult> => {
        try {
          const { images, augmentMs } = await previews.previewAll(sources, options, isCurrent);
          return { params: chosen, seed, images, augmentMs };
        } catch (error) {
          if (error instanceof PreviewSuperseded) throw new EngineError('conflict', error.message);
          throw new EngineError('failed', (error as Error).message);
        }
      };
      if (paths) {
        const sources = [];
        for (const path of paths) sources.push({ imageId: null, source: await probedSource(resolve(path)) });
        return run(sources);
      }
      const ws = engine.projects.require();
      return ws.use(async () => {
        const sources = (imageIds ?? []).map((imageId) => {
          const detail = ws.catalogue.images.detail(imageId);
          const source = ws.catalogue.images.source(imageId);
          if (!detail || !source) throw new EngineError('not_found', `no image with id ${imageId}`);
          if (!source.path) throw new EngineError('not_found', `image ${imageId} has no file on disk (missing)`);
          return { imageId, source: { sha256: source.sha256, path: source.path, width: detail.width, height: detail.height } };
        });
        return run(sources);
      });
    },
  };
}

/** A picture file outside the catalogue, read the way import reads it. */
async function probedSource(path: string): Promise<PreviewSource> {
  if (!existsSync(path)) throw new EngineError('not_found', `no such file: ${path}`);
  const probed = await probeImageFile(path);
  if (!probed.ok) throw new EngineError('invalid_input', `${path}: ${probed.reason}`);
  const { sha256, width, height } = probed.image;
  return { sha256, path, width, height };
}

/** Preset and parameter problems become the contract's error codes with their own sentences. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PresetError) throw new EngineError(error.kind, error.message);
    if (error instanceof AugmentParamsError) throw new EngineError('invalid_input', error.message);
    throw error;
  }
}
