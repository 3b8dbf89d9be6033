/**
 * The dataset map for one open project: which images, which backbone, and where the last layout is
 * kept. The features and the layout are computed in a training process (training/worker/map/); this
 * side reads the catalogue and joins the answer back to image ids.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mapLayoutRequestSchema, mapLayoutSchema, type MapLayout, type MapLayoutRequest } from '@shared/contract/map';
import { MapRepository } from '../catalogue/map-repository';
import { runInTrainingProcess } from '../training/host/compute-client';
import { TrainingError } from '../training/host/supervise-process';
import type { EvaluationServiceOptions, WorkContext } from './service';

export interface DatasetMapOptions extends Pick<
  EvaluationServiceOptions,
  'catalogue' | 'backbones' | 'featuresDir' | 'launcher' | 'backend' | 'device'
> {
  /** Where the last layout is kept (JSON). */
  file: string;
}

export class DatasetMap {
  constructor(readonly options: DatasetMapOptions) {}

  async layout(request: MapLayoutRequest, ctx: WorkContext): Promise<MapLayout> {
    const r = mapLayoutRequestSchema.parse(request);
    const images = this.options.catalogue.repo(MapRepository).images();
    if (!images.length) throw new TrainingError('invalid_input', 'the dataset map needs images: import a folder first');
    const spec = this.options.backbones.spec(r.backbone);
    if (!spec) throw new TrainingError('not_found', 'no backbone is installed: the bundled MobileNet is missing from resources/backbones');
    const answer = await runInTrainingProcess(
      this.options.launcher,
      {
        type: 'map',
        items: images.map(({ path, sha256 }) => ({ path, sha256 })),
        backbone: spec,
        featuresDir: this.options.featuresDir,
        seed: r.seed,
        backend: this.options.backend ?? process.env.LDS_BACKEND ?? null,
        device: this.options.device?.() ?? null,
      },
      { progress: ctx.progress, signal: ctx.signal },
    );
    ctx.throwIfCancelled();
    const { xy, featuresComputed, featuresFromCache, layoutSeconds, seconds } = answer.result;
    if (xy.length !== images.length * 2)
      throw new Error(`the training process laid out ${xy.length / 2} points for ${images.length} images`);
    const layout: MapLayout = {
      points: images.map((image, i) => ({ id: image.imageId, x: xy[i * 2] as number, y: xy[i * 2 + 1] as number })),
      backbone: spec.id,
      seed: r.seed,
      featuresComputed,
      featuresFromCache,
      seconds,
      layoutSeconds,
      createdAt: new Date().toISOString(),
    };
    // Written aside and renamed: a crash mid-write leaves the previous map, not a torn file.
    writeFileSync(`${this.options.file}.partial`, JSON.stringify(layout));
    renameSync(`${this.options.file}.partial`, this.options.file);
    return layout;
  }

  /** The last layout, without images that left the catalogue; `missing` counts images it does not show. */
  last(): (MapLayout & { missing: number }) | null {
    if (!existsSync(this.options.file)) return null;
    let parsed;
    try {
      parsed = mapLayoutSchema.safeParse(JSON.parse(readFileSync(this.options.file, 'utf8')));
    } catch {
      return null;
    }
    if (!parsed.success) return null;
    const ids = this.options.catalogue.repo(MapRepository).ids();
    const points = parsed.data.points.filter((p) => ids.has(p.id));
    const shown = new Set(points.map((p) => p.id));
    let missing = 0;
    for (const id of ids) if (!shown.has(id)) missing++;
    return { ...parsed.data, points, missing };
  }
}
