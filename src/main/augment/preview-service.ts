import type { AugmentParams } from '@shared/contract/augment';
import { encodeJpegRgb, type ResizeFit, type RgbImage } from '../images';
import { encodePngRgb, pngDataUrl } from './png';
import { decodeForPreview, displayPixels, toBytes, variantsAt, type PreviewSource } from './preview';

export type PreviewFormat = 'png' | 'jpeg';

export interface PreviewOptions {
  size: number | 'source';
  fit: ResizeFit;
  n: number;
  first: number;
  params: AugmentParams;
  seed: number;
  format: PreviewFormat;
}

export interface PreviewedImage {
  imageId: number | null;
  width: number;
  height: number;
  /** Data URLs in the asked format. */
  original: string;
  variants: string[];
}

/** A newer request under the same key came in: this one's pictures would never be drawn. */
export class PreviewSuperseded extends Error {
  constructor() {
    super('a newer preview request replaced this one');
  }
}

/** Sample pictures decoded at preview size: a slider drag asks for the same few again and again. */
const DECODED_ENTRIES = 24;
/** Encoded pictures kept (data URL characters): a drag's draft tiles are reused by the full set that follows. */
const ENCODED_CHARS = 24 * 1024 * 1024;
/** Distinct supersede keys remembered (one per open Augment view). */
const KEYS = 64;

/**
 * The Augment view's previews, kept cheap while sliders move: each sample is decoded once (keyed by
 * content hash, path, size and fit), only the affine and intensity pass runs per parameter change,
 * encoded tiles are reused when asked again (a drag's draft tiles, then the full set), and a request
 * overtaken by a newer one under the same key stops at its next step instead of finishing for nobody.
 * The pixels come from THE augmentation function (variantsAt → augmentVariants), as training's do.
 */
export class AugmentPreviewService {
  readonly #decoded = new Lru<Promise<RgbImage>>(DECODED_ENTRIES, () => 1);
  readonly #encoded = new Lru<string>(ENCODED_CHARS, (url) => url.length);
  readonly #latest = new Map<string, number>();
  #ticket = 0;
  /** Counters for tests and the latency readout: decodes started, variants augmented. */
  readonly stats = { decodes: 0, variants: 0, superseded: 0 };

  /** Registers a request under `key`: every earlier one under it becomes stale. Answers "is this one still the newest?". */
  claim(key: string | undefined): () => boolean {
    if (key === undefined) return () => true;
    const ticket = ++this.#ticket;
    this.#latest.delete(key);
    this.#latest.set(key, ticket);
    while (this.#latest.size > KEYS) this.#latest.delete(this.#latest.keys().next().value as string);
    return () => this.#latest.get(key) === ticket;
  }

  /** Previews each source in order; throws PreviewSuperseded as soon as a newer request has claimed the key. */
  async previewAll(
    sources: readonly { imageId: number | null; source: PreviewSource }[],
    options: PreviewOptions,
    isCurrent: () => boolean = () => true,
  ): Promise<{ images: PreviewedImage[]; augmentMs: number }> {
    // Decodes run side by side on libvips' threads; the pixel pass then goes image by image.
    const decoded = sources.map(({ source }) => this.#decode(source, options.size, options.fit));
    for (const pending of decoded) pending.catch(() => {});
    const images: PreviewedImage[] = [];
    let augmentMs = 0;
    for (const [i, { imageId, source }] of sources.entries()) {
      const image = await decoded[i]!;
      this.#check(isCurrent);
      const shown = await this.#preview(imageId, source, image, options, isCurrent);
      augmentMs += shown.augmentMs;
      images.push(shown.image);
    }
    return { images, augmentMs };
  }

  #check(isCurrent: () => boolean): void {
    if (isCurrent()) return;
    this.stats.superseded++;
    throw new PreviewSuperseded();
  }

  #decode(source: PreviewSource, size: number | 'source', fit: ResizeFit): Promise<RgbImage> {
    const key = `${source.sha256}\u0000${source.path}\u0000${size}\u0000${fit}`;
    const cached = this.#decoded.get(key);
    if (cached) return cached;
    this.stats.decodes++;
    const pending = decodeForPreview(source, size, fit);
    this.#decoded.set(key, pending);
    pending.catch(() => this.#decoded.delete(key));
    return pending;
  }

  async #preview(
    imageId: number | null,
    source: PreviewSource,
    image: RgbImage,
    options: PreviewOptions,
    isCurrent: () => boolean,
  ): Promise<{ image: PreviewedImage; augmentMs: number }> {
    const { params, seed, format } = options;
    const base = `${source.sha256}\u0000${image.width}x${image.height}\u0000${options.fit}\u0000${format}`;
    const variantKey = (k: number): string => `${base}\u0000${seed}\u0000${JSON.stringify(params)}\u0000${k}`;
    const indices = Array.from({ length: options.n }, (_, k) => options.first + k);
    // Taken out now: storing this request's new tiles may evict older ones from the cache.
    const ready = new Map<number, string>();
    for (const k of indices) {
      const cached = this.#encoded.get(variantKey(k));
      if (cached !== undefined) ready.set(k, cached);
    }
    const missing = indices.filter((k) => !ready.has(k));
    const started = performance.now();
    const pixels = variantsAt(image, source.sha256, missing, params, seed);
    const augmentMs = performance.now() - started;
    this.stats.variants += missing.length;
    this.#check(isCurrent);
    const encode = (data: Uint8Array): Promise<string> => encodeDataUrl(data, image.width, image.height, format);
    const originalKey = `${base}\u0000original`;
    const [original, ...made] = await Promise.all([
      this.#encoded.get(originalKey) ?? encode(image.data),
      ...pixels.variants.map((v) => encode(toBytes(displayPixels(v, params)))),
    ]);
    this.#encoded.set(originalKey, original!);
    for (const [j, k] of missing.entries()) {
      ready.set(k, made[j]!);
      this.#encoded.set(variantKey(k), made[j]!);
    }
    this.#check(isCurrent);
    const variants = indices.map((k) => ready.get(k)!);
    return { image: { imageId, width: image.width, height: image.height, original: original!, variants }, augmentMs };
  }
}

async function encodeDataUrl(data: Uint8Array, width: number, height: number, format: PreviewFormat): Promise<string> {
  if (format === 'png') return pngDataUrl(encodePngRgb(data, width, height));
  return `data:image/jpeg;base64,${(await encodeJpegRgb(data, width, height)).toString('base64')}`;
}

/** Least recently used first out, bounded by the summed weight of its values. */
class Lru<V> {
  readonly #map = new Map<string, { value: V; weight: number }>();
  #total = 0;

  constructor(
    readonly budget: number,
    readonly weigh: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    this.#map.set(key, { value, weight });
    this.#total += weight;
    for (const [oldest, entry] of this.#map) {
      if (this.#total <= this.budget || oldest === key) break;
      this.#map.delete(oldest);
      this.#total -= entry.weight;
    }
  }

  delete(key: string): void {
    const entry = this.#map.get(key);
    if (!entry) return;
    this.#map.delete(key);
    this.#total -= entry.weight;
  }
}
