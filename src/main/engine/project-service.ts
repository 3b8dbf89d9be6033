import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectInfo, ResizeMode } from '@shared/contract';
import { renderFull, ThumbnailAbandoned, ThumbnailQueue, type EncodedImage } from '../images';
import { importFolders } from '../import';
import { recoverInterruptedRuns } from '../training/host/interrupted-runs';
import type { EngineOptions } from './engine';
import { EngineError } from './errors';
import type { EventBus } from './event-bus';
import { RecentProjects } from './recent-projects';
import { Workspace } from './workspace';

export const SAMPLE_DIR_NAME = 'sample-project';

/** Owns the open workspace (one at a time) and the recent-projects list. */
export class ProjectService {
  readonly recent: RecentProjects;
  /** The grid's thumbnails: newest request first, abandoned requests dropped. */
  readonly thumbnails = new ThumbnailQueue();
  #workspace: Workspace | null = null;
  /** Opens run one after another: a slow open finishing last must not replace a later one. */
  #opening: Promise<unknown> = Promise.resolve();

  constructor(
    readonly options: EngineOptions,
    readonly events: EventBus,
  ) {
    this.recent = new RecentProjects(options.userDataDir);
  }

  /** Bundled sample images; they are imported in place, never copied. */
  get sampleImagesDir(): string {
    return join(this.options.resourcesDir, 'sample');
  }

  get sampleAvailable(): boolean {
    return existsSync(this.sampleImagesDir);
  }

  current(): ProjectInfo | null {
    const ws = this.#workspace;
    return ws ? { dir: ws.dir, name: ws.name, isSample: ws.isSample, resizeMode: ws.resizeMode } : null;
  }

  /** The open workspace, or a no_project error the caller can show as is. */
  require(): Workspace {
    if (!this.#workspace) throw new EngineError('no_project', 'No project is open: open or create one first.');
    return this.#workspace;
  }

  open(dir: string, options: { create: boolean; resizeMode?: ResizeMode } = { create: false }): Promise<ProjectInfo> {
    const opened = this.#opening.then(async () => {
      const full = resolve(dir);
      const sampleDir = resolve(this.options.userDataDir, SAMPLE_DIR_NAME);
      if (this.#workspace?.dir === full) return this.current() as ProjectInfo;
      const next = await Workspace.open(full, { create: options.create, isSample: full === sampleDir, resizeMode: options.resizeMode });
      recoverInterruptedRuns(next.catalogue, next.runsDir);
      this.#replace(next);
      if (!next.isSample) this.recent.remember(next.dir, next.name);
      return this.current() as ProjectInfo;
    });
    this.#opening = opened.catch(() => {});
    return opened;
  }

  /** The sample project: a workspace in the user's data folder over the bundled images. */
  async openSample(): Promise<ProjectInfo> {
    if (!this.sampleAvailable) throw new EngineError('not_found', `the sample images are not installed (${this.sampleImagesDir})`);
    const info = await this.open(join(this.options.userDataDir, SAMPLE_DIR_NAME), { create: true });
    const ws = this.require();
    if (ws.catalogue.images.count() === 0) {
      await ws.use(() =>
        importFolders(
          ws.catalogue,
          { paths: [this.sampleImagesDir], valFraction: 0.2, testFraction: 0, seed: 42 },
          { exclude: ws.ownPaths },
        ),
      );
      this.events.emit('library.changed', { reason: 'import' });
    }
    return info;
  }

  closeProject(): void {
    this.#replace(null);
  }

  #replace(next: Workspace | null): void {
    this.#workspace?.close();
    this.#workspace = next;
    this.events.emit('project.changed', { dir: next?.dir ?? null });
  }

  /**
   * Bytes for the image routes of the Electron protocol and browser mode, by id only: 'thumb' is
   * the cached WebP thumbnail, 'full' the EXIF-rotated picture as JPEG (PNG with transparency), at
   * most 2048 px. Throws EngineError not_found for an unknown id or an image with no file on disk.
   * `signal`: the client went away (a tile scrolled off screen); a thumbnail not yet started is not made.
   */
  async readImage(id: number, size: 'thumb' | 'full', signal?: AbortSignal): Promise<EncodedImage> {
    const ws = this.require();
    return ws.use(async () => {
      const source = ws.catalogue.images.source(id);
      if (!source) throw new EngineError('not_found', `no image with id ${id}`);
      if (!source.path) throw new EngineError('not_found', `image ${id} has no file on disk (missing)`);
      const path = source.path;
      try {
        if (size === 'thumb')
          return { data: await this.thumbnails.get(path, source.sha256, ws.thumbsDir, signal), contentType: 'image/webp' };
        return await renderFull(path);
      } catch (error) {
        if (error instanceof ThumbnailAbandoned) throw new EngineError('failed', `image ${id}: ${error.message}`);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new EngineError('not_found', `image ${id}: file gone: ${path}`);
        throw new EngineError('failed', `cannot read image ${path}: ${(error as Error).message.split('\n')[0]}`);
      }
    });
  }

  close(): void {
    this.#workspace?.close();
    this.#workspace = null;
  }
}
