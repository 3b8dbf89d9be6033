import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackboneInfo } from '@shared/contract/training';
import type { Catalogue } from '../../catalogue';
import { BackbonesRepository, type BackboneRow } from '../../catalogue/backbones-repository';
import type { JobRunner } from '../../jobs/job-runner';
import { TrainingError } from '../host/supervise-process';
import { preprocessingSchema } from '../protocol/preprocessing-contract';
import { bundledBackbone, bundledBackboneDir } from './backbone-inspect';
import {
  addBackboneSource,
  backboneArch,
  backboneSizeBytes,
  installOfficial,
  removeFromRegistry,
  type AddSourceOptions,
} from './backbone-registry';
import { backboneSpecSchema, DEFAULT_BACKBONE_ID, type BackboneSpec } from './backbone-spec';
import { OFFICIAL_KERAS_WEIGHTS, officialWeights } from './download/keras-weights';

export interface WorkspaceBackbonesOptions {
  catalogue: Catalogue;
  resourcesDir: string;
  /** The workspace folder that holds imported backbones (.h5, Teachable Machine) as TF.js models. */
  registryDir: string;
  jobs: JobRunner;
}

/** The backbones one project can use: the bundled MobileNet plus those imported into its registry folder. */
export class WorkspaceBackbones {
  readonly #rows: BackbonesRepository;

  constructor(readonly options: WorkspaceBackbonesOptions) {
    this.#rows = options.catalogue.repo(BackbonesRepository);
  }

  bundled(): BackboneSpec | null {
    return existsSync(join(bundledBackboneDir(this.options.resourcesDir), 'model.json'))
      ? bundledBackbone(this.options.resourcesDir)
      : null;
  }

  spec(id: string | undefined): BackboneSpec | null {
    if (!id || id === DEFAULT_BACKBONE_ID) return this.bundled();
    const row = this.#rows.get(id);
    if (!row) throw new TrainingError('not_found', `no backbone "${id}"; see \`lds backbones\` for the ones installed`);
    return rowToSpec(row);
  }

  list(): BackboneInfo[] {
    const bundled = this.bundled();
    const added = this.#rows.list().map(rowToSpec);
    return [...(bundled ? [bundled] : []), ...added].map((s) => specToInfo(s));
  }

  /**
   * `lds backbones add` / Settings: a Keras .h5 file, a Teachable Machine export or a TF.js folder.
   * A bad source leaves both the registry folder and the catalogue as they were.
   */
  async addFrom(path: string, options: AddSourceOptions = {}): Promise<BackboneInfo> {
    if (options.id === DEFAULT_BACKBONE_ID)
      throw new TrainingError('conflict', `backbone id ${options.id} is the bundled one's: pass another id`);
    let spec: BackboneSpec;
    try {
      spec = await addBackboneSource(path, this.options.registryDir, options);
    } catch (error) {
      throw new TrainingError('invalid_input', (error as Error).message);
    }
    if (spec.id === DEFAULT_BACKBONE_ID) {
      removeFromRegistry(spec, this.options.registryDir);
      throw new TrainingError('conflict', `backbone id ${spec.id} is the bundled one's: pass another id`);
    }
    return this.#register(spec);
  }

  /** The official Keras weights one click fetches, and whether each is in this workspace already. */
  downloadable(): { id: string; label: string; file: string; url: string; installed: boolean }[] {
    const rows = this.#rows.list();
    const sources = rows.map((row) => row.source);
    const ids = new Set(rows.map((row) => row.id));
    return OFFICIAL_KERAS_WEIGHTS.map((w) => ({
      id: w.id,
      label: w.label,
      file: w.file,
      url: w.url,
      installed: ids.has(w.id) || sources.some((s) => s.endsWith(`/${w.file}`)),
    }));
  }

  /**
   * A job: fetch one official weights file into <registry>/.downloads (a partial file is kept, so
   * the next try resumes), check it, import it. Offline, the job fails with the file, its URL and
   * how to add it by hand.
   */
  download(id: string, options: { url?: string } = {}): string {
    let label: string;
    try {
      label = officialWeights(id).label;
    } catch (error) {
      throw new TrainingError('invalid_input', (error as Error).message);
    }
    const { registryDir } = this.options;
    return this.options.jobs.start({
      kind: 'backbone-download',
      label: `download ${label}`,
      run: async (ctx) => {
        const installed = await installOfficial(id, {
          downloadsDir: join(registryDir, '.downloads'),
          registryDir,
          url: options.url,
          signal: ctx.signal,
          onProgress: (p) =>
            ctx.progress(
              p.received,
              p.total ?? 0,
              `${(p.received / 1e6).toFixed(1)}${p.total ? ` of ${(p.total / 1e6).toFixed(1)}` : ''} MB${p.resumedFrom ? ' (resumed)' : ''}`,
            ),
        });
        ctx.throwIfCancelled();
        return this.#register(installed.spec);
      },
    });
  }

  #register(spec: BackboneSpec): BackboneInfo {
    if (spec.id === DEFAULT_BACKBONE_ID)
      throw new TrainingError('conflict', `backbone id ${spec.id} is the bundled one's: pass another id`);
    this.#rows.upsert({
      id: spec.id,
      name: spec.name,
      source: spec.source,
      modelDir: spec.dir,
      weightsSha256: spec.weightsSha256,
      inputSize: spec.preprocessing.inputSize,
      featureLayer: spec.featureLayer,
      topBlockStart: spec.topBlockStart,
      preprocessing: JSON.stringify(spec.preprocessing),
    });
    return specToInfo(spec);
  }
}

function rowToSpec(row: BackboneRow): BackboneSpec {
  return backboneSpecSchema.parse({
    id: row.id,
    name: row.name,
    source: row.source,
    dir: row.modelDir,
    weightsSha256: row.weightsSha256,
    featureLayer: row.featureLayer,
    topBlockStart: row.topBlockStart,
    preprocessing: preprocessingSchema.parse(JSON.parse(row.preprocessing)),
  });
}

function specToInfo(spec: BackboneSpec): BackboneInfo {
  return {
    id: spec.id,
    name: spec.name,
    source: spec.source,
    inputSize: spec.preprocessing.inputSize,
    featureLayer: spec.featureLayer,
    topBlockStart: spec.topBlockStart,
    weightsSha256: spec.weightsSha256,
    preprocessing: spec.preprocessing,
    bundled: spec.source === 'bundled',
    arch: backboneArch(spec),
    sizeBytes: backboneSizeBytes(spec.dir),
  };
}
