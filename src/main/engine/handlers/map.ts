import { join } from 'node:path';
import type { Engine } from '../engine';
import type { HandlerMap } from '../handler';
import { DatasetMap } from '../../evaluation/dataset-map';
import { mapTrainingErrors } from './training-errors';

export const MAP_FILE = 'map-layout.json';

export function mapHandlers(engine: Engine): HandlerMap<'map.layout' | 'map.get'> {
  const service = (): DatasetMap => {
    const ws = engine.projects.require();
    const { catalogue, backbones, featuresDir, launcher, backend, device } = engine.training().evaluation.options;
    return new DatasetMap({ catalogue, backbones, featuresDir, launcher, backend, device, file: join(ws.dir, MAP_FILE) });
  };
  return {
    'map.layout': (request) =>
      mapTrainingErrors(() => {
        const ws = engine.projects.require();
        const map = service();
        const jobId = engine.jobs.start({
          kind: 'map',
          label: 'Laying out the dataset map',
          run: (ctx) =>
            ws.use(() =>
              map.layout(request, {
                progress: ctx.progress,
                signal: AbortSignal.any([ctx.signal, ws.closingSignal]),
                throwIfCancelled: () => {
                  ctx.throwIfCancelled();
                  if (ws.closingSignal.aborted) throw new Error('the project was closed');
                },
              }),
            ),
        });
        return { jobId };
      }),
    'map.get': () => mapTrainingErrors(() => service().last()),
  };
}
