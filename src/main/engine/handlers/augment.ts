import type { AugmentParams, AugmentPreviewResult, CommandName } from '@shared/contract';
import {
  AugmentParamsError,
  decodeForPreview,
  displayPixels,
  encodePngRgb,
  PresetError,
  PresetService,
  pngDataUrl,
  previewVariants,
  readyForAugment,
} from '../../augment';
import { PresetsRepository } from '../../catalogue/presets-repository';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';

type AugmentCommand = Extract<CommandName, `augment.${string}`>;

export function augmentHandlers(engine: Engine): HandlerMap<AugmentCommand> {
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
    'augment.preview': async ({ imageIds, n, params, preset, seed, size }) => {
      const ws = engine.projects.require();
      const chosen: AugmentParams = params ?? guard(() => presets().get(preset ?? 'none').params);
      await readyForAugment();
      return ws.use(async () => {
        const result: AugmentPreviewResult = { params: chosen, seed, images: [], augmentMs: 0 };
        for (const imageId of imageIds) {
          const detail = ws.catalogue.images.detail(imageId);
          const source = ws.catalogue.images.source(imageId);
          if (!detail || !source) throw new EngineError('not_found', `no image with id ${imageId}`);
          if (!source.path) throw new EngineError('not_found', `image ${imageId} has no file on disk (missing)`);
          const decoded = await decodeForPreview({ sha256: source.sha256, path: source.path, width: detail.width, height: detail.height }, size).catch(
            (error: Error) => {
              throw new EngineError('failed', error.message);
            },
          );
          const started = performance.now();
          const pixels = previewVariants(decoded, source.sha256, n, chosen, seed);
          result.augmentMs += performance.now() - started;
          result.images.push({
            imageId,
            width: pixels.width,
            height: pixels.height,
            original: pngDataUrl(encodePngRgb(pixels.original, pixels.width, pixels.height)),
            variants: pixels.variants.map((v) => pngDataUrl(encodePngRgb(displayPixels(v, chosen), pixels.width, pixels.height))),
          });
        }
        return result;
      });
    },
  };
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
