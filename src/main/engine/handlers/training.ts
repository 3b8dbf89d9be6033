import type { Engine } from '../engine';
import type { HandlerMap } from '../handler';
import { mapTrainingErrors as mapped } from './training-errors';
import { OFFICIAL_KERAS_WEIGHTS } from '../../training/backbones/download/keras-weights';
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
  | 'system.doctor';

function mirrorUrl(id: string): string | undefined {
  const base = process.env.LDS_KERAS_WEIGHTS_BASE;
  if (!base) return undefined;
  const file = OFFICIAL_KERAS_WEIGHTS.find((w) => w.id === id)?.file;
  return file ? `${base.replace(/\/$/, '')}/${file}` : undefined;
}

export function trainingHandlers(engine: Engine): HandlerMap<TrainingCommand> {
  return {
    'train.start': (input) =>
      mapped(() => {
        const { jobId, runId, mode, reason, holdout } = engine.training().runs.start(input);
        return { jobId, runId, mode, reason, holdout };
      }),
    'train.advice': () => mapped(() => engine.training().runs.advice()),
    'runs.list': () => mapped(() => engine.training().runs.list()),
    'runs.get': ({ id }) => mapped(() => engine.training().runs.get(id)),
    'runs.cancel': ({ id }) =>
      mapped(() => {
        if (!engine.training().runs.cancel(id)) throw new TrainingError('not_found', `run ${id} is not running`);
        return { ok: true as const };
      }),
    'backbones.list': () => mapped(() => engine.training().backbones.list()),
    'backbones.add': ({ dir, ...options }) => mapped(() => engine.training().backbones.addFrom(dir, options)),
    'backbones.downloadable': () => mapped(() => engine.training().backbones.downloadable()),
    // LDS_KERAS_WEIGHTS_BASE points downloads at a mirror (or a test server) instead of Google's bucket.
    'backbones.download': ({ id }) => mapped(() => ({ jobId: engine.training().backbones.download(id, { url: mirrorUrl(id) }) })),
    'system.doctor': ({ backend }) =>
      mapped(() => {
        const ws = engine.projects.current() ? engine.projects.require() : null;
        const cacheBytes = ws ? FeatureCache.sizeBytes(ws.featuresDir) : null;
        return doctorVia(engine.launcher.launch(), backend ?? process.env.LDS_BACKEND ?? null, cacheBytes);
      }),
  };
}
