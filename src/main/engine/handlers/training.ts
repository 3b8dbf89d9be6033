import { join } from 'node:path';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';
import type { DeviceChoiceName } from '@shared/contract/training';
import { bundledBackbone } from '../../training/backbones/backbone-inspect';
import type { BackboneSpec } from '../../training/backbones/backbone-spec';
import { UnknownDeviceError } from '../device-setting';
import { mapTrainingErrors as mapped } from './training-errors';
import { downloadKerasWeights, OFFICIAL_KERAS_WEIGHTS, officialWeights } from '../../training/backbones/download/keras-weights';
import { doctorVia } from '../../training/host/doctor';
import { TrainingError } from '../../training/host/supervise-process';
import { FeatureCache } from '../../training/protocol/feature-cache';

type TrainingCommand =
  | 'train.start'
  | 'train.advice'
  | 'runs.list'
  | 'runs.get'
  | 'runs.cancel'
  | 'backbones.list'
  | 'backbones.add'
  | 'backbones.downloadable'
  | 'backbones.download'
  | 'system.doctor'
  | 'system.setDevice';

/** The device a job's forward passes use: explicit > --device > LDS_DEVICE > the setting; a typo is the caller's error. */
export function deviceFor(engine: Engine, explicit: string | undefined): DeviceChoiceName {
  try {
    return engine.device.resolve(explicit ?? null);
  } catch (error) {
    if (error instanceof UnknownDeviceError) throw new TrainingError('invalid_input', error.message);
    throw error;
  }
}

function bundledBackboneOrNull(resourcesDir: string): BackboneSpec | null {
  try {
    return bundledBackbone(resourcesDir);
  } catch {
    return null;
  }
}

function mirrorUrl(id: string): string | undefined {
  const base = process.env.LDS_KERAS_WEIGHTS_BASE;
  if (!base) return undefined;
  const file = OFFICIAL_KERAS_WEIGHTS.find((w) => w.id === id)?.file;
  return file ? `${base.replace(/\/$/, '')}/${file}` : undefined;
}

/** Where `backbones download` keeps weights when no project is open (in the user's data folder). */
export const BACKBONE_DOWNLOADS_DIR = 'backbone-downloads';

/**
 * Without a project there is no registry to add to: the job only fetches and checks the file, and
 * its result names it ({ id, file, sha256, bytes }) so it can be added to a project later.
 */
function downloadOnly(engine: Engine, id: string, url: string | undefined): string {
  let label: string;
  try {
    label = officialWeights(id).label;
  } catch (error) {
    throw new EngineError('invalid_input', (error as Error).message);
  }
  return engine.jobs.start({
    kind: 'backbone-download',
    label: `download ${label}`,
    run: async (ctx) => {
      const done = await downloadKerasWeights(id, join(engine.options.userDataDir, BACKBONE_DOWNLOADS_DIR), {
        url,
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress(
            p.received,
            p.total ?? 0,
            `${(p.received / 1e6).toFixed(1)}${p.total ? ` of ${(p.total / 1e6).toFixed(1)}` : ''} MB`,
          ),
      });
      ctx.throwIfCancelled();
      return { id, file: done.path, sha256: done.sha256, bytes: done.bytes };
    },
  });
}

export function trainingHandlers(engine: Engine): HandlerMap<TrainingCommand> {
  return {
    'train.start': (input) =>
      mapped(() => {
        const { jobId, runId, mode, reason, holdout } = engine.training().runs.start({ ...input, device: deviceFor(engine, input.device) });
        return { jobId, runId, mode, reason, holdout };
      }),
    'train.advice': () => mapped(() => engine.training().runs.advice()),
    'runs.list': () => mapped(() => engine.training().runs.list()),
    'runs.get': ({ id }) => mapped(() => engine.training().runs.get(id)),
    'runs.cancel': ({ id, keepBest }) =>
      mapped(() => {
        if (!engine.training().runs.cancel(id, keepBest)) throw new TrainingError('not_found', `run ${id} is not running`);
        return { ok: true as const };
      }),
    'backbones.list': () => mapped(() => engine.training().backbones.list()),
    'backbones.add': ({ dir, ...options }) => mapped(() => engine.training().backbones.addFrom(dir, options)),
    'backbones.downloadable': () => mapped(() => engine.training().backbones.downloadable()),
    // LDS_KERAS_WEIGHTS_BASE points downloads at a mirror (or a test server) instead of Google's bucket.
    'backbones.download': ({ id }) =>
      mapped(() => ({
        jobId: engine.projects.current()
          ? engine.training().backbones.download(id, { url: mirrorUrl(id) })
          : downloadOnly(engine, id, mirrorUrl(id)),
      })),
    'system.doctor': ({ backend, device }) =>
      mapped(() => {
        const ws = engine.projects.current() ? engine.projects.require() : null;
        const cacheBytes = ws ? FeatureCache.sizeBytes(ws.featuresDir) : null;
        // The default backbone's conversion is checked (and its graph cached for the first run).
        const backbone = ws ? engine.training().backbones.spec(undefined) : bundledBackboneOrNull(engine.options.resourcesDir);
        const chosen = deviceFor(engine, device);
        return doctorVia(engine.launcher.launch(), backend ?? process.env.LDS_BACKEND ?? null, cacheBytes, {
          device: chosen,
          backbone,
          featuresDir: ws?.featuresDir ?? null,
        }).then((report) => ({ ...report, device: chosen }));
      }),
    'system.setDevice': ({ device }) => mapped(() => ({ device: engine.device.set(device) })),
  };
}
