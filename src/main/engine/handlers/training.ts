import type { Engine } from '../engine';
import type { HandlerMap } from '../handler';
import type { Workspace } from '../workspace';
import { OFFICIAL_KERAS_WEIGHTS } from '../../training/backbone-download/keras-weights';
import type { DeviceChoiceName } from '@shared/contract/training';
import { bundledBackbone } from '../../training/backbone-inspect';
import type { BackboneSpec } from '../../training/backbone-spec';
import { FeatureCache } from '../../training/feature-cache';
import { UnknownDeviceError } from '../device-setting';
import { mapTrainingErrors as mapped } from './training-errors';
import { ForkLauncher, type TrainingProcessLauncher } from '../../training/launcher';
import { doctorVia, RunManager, TrainingError } from '../../training/run-manager';

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

const launchers = new WeakMap<Engine, TrainingProcessLauncher>();
const managers = new WeakMap<Workspace, RunManager>();

/** The desktop app swaps in its utilityProcess launcher; Node (CLI, browser mode, tests) forks. */
export function useTrainingLauncher(engine: Engine, launcher: TrainingProcessLauncher): void {
  launchers.set(engine, launcher);
}

/** The engine's training-process launcher: training, and the TensorFlow.js work on finished models. */
export function launcherOf(engine: Engine): TrainingProcessLauncher {
  let launcher = launchers.get(engine);
  if (!launcher) {
    launcher = new ForkLauncher();
    launchers.set(engine, launcher);
  }
  return launcher;
}

/** The open project's run manager (one per workspace, made on first use). */
export function runManagerOf(engine: Engine): RunManager {
  const ws = engine.projects.require();
  let manager = managers.get(ws);
  if (!manager) {
    manager = new RunManager({
      catalogue: ws.catalogue,
      runsDir: ws.runsDir,
      featuresDir: ws.featuresDir,
      resourcesDir: engine.options.resourcesDir,
      jobs: engine.jobs,
      events: engine.events,
      launcher: launcherOf(engine),
      holdOpen: (work) => ws.use(work),
      closing: ws.closingSignal,
    });
    managers.set(ws, manager);
  }
  return manager;
}

/** The device a job's forward passes use: explicit > LDS_DEVICE > the setting; a typo is the caller's error. */
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

export function trainingHandlers(engine: Engine): HandlerMap<TrainingCommand> {
  return {
    'train.start': (input) =>
      mapped(() => {
        const { jobId, runId, mode, reason } = runManagerOf(engine).start({ ...input, device: deviceFor(engine, input.device) });
        return { jobId, runId, mode, reason };
      }),
    'train.advice': () => mapped(() => runManagerOf(engine).advice()),
    'runs.list': () => mapped(() => runManagerOf(engine).list()),
    'runs.get': ({ id }) => mapped(() => runManagerOf(engine).get(id)),
    'runs.cancel': ({ id }) =>
      mapped(() => {
        if (!runManagerOf(engine).cancel(id)) throw new TrainingError('not_found', `run ${id} is not running`);
        return { ok: true as const };
      }),
    'backbones.list': () => mapped(() => runManagerOf(engine).listBackbones()),
    'backbones.add': ({ dir, ...options }) => mapped(() => runManagerOf(engine).addBackboneFrom(dir, options)),
    'backbones.downloadable': () => mapped(() => runManagerOf(engine).downloadable()),
    // LDS_KERAS_WEIGHTS_BASE points downloads at a mirror (or a test server) instead of Google's bucket.
    'backbones.download': ({ id }) => mapped(() => ({ jobId: runManagerOf(engine).downloadBackbone(id, { url: mirrorUrl(id) }) })),
    'system.doctor': ({ backend, device }) =>
      mapped(() => {
        const ws = engine.projects.current() ? engine.projects.require() : null;
        const cacheBytes = ws ? FeatureCache.sizeBytes(ws.featuresDir) : null;
        // The default backbone's conversion is checked (and its graph cached for the first run).
        const backbone = ws ? runManagerOf(engine).backboneSpec(undefined) : bundledBackboneOrNull(engine.options.resourcesDir);
        const chosen = deviceFor(engine, device);
        return doctorVia(launcherOf(engine).launch(), backend ?? process.env.LDS_BACKEND ?? null, cacheBytes, {
          device: chosen,
          backbone,
          featuresDir: ws?.featuresDir ?? null,
        }).then((report) => ({ ...report, device: chosen }));
      }),
    'system.setDevice': ({ device }) => mapped(() => ({ device: engine.device.set(device) })),
  };
}
