import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { augmentParamsSchema } from '@shared/contract/augment';
import {
  AugmentPreviewService,
  decodeForPreview,
  PreviewSuperseded,
  previewVariants,
  toBytes,
  type PreviewOptions,
  type PreviewSource,
} from '../../../src/main/augment';
import { sha256Of } from '../../../src/main/images';
import { noisyJpeg } from '../../fixtures/images';
import { useBackend } from './tf-backend';

let dir: string;
let sources: { imageId: number; source: PreviewSource }[];

const params = augmentParamsSchema.parse({ rotation_range: 30, width_shift_range: 0.1, zoom_range: 0.2, horizontal_flip: true });
const options = (over: Partial<PreviewOptions> = {}): PreviewOptions => ({
  size: 48,
  fit: 'stretch',
  n: 4,
  first: 0,
  params,
  seed: 7,
  format: 'png',
  ...over,
});

async function pixelsOf(dataUrl: string): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'lds-preview-service-'));
  sources = [];
  for (const [i, [w, h]] of [
    [64, 48],
    [40, 56],
  ].entries()) {
    const path = join(dir, `p${i}.jpg`);
    const bytes = await noisyJpeg(w!, h!, i + 3);
    writeFileSync(path, bytes);
    sources.push({ imageId: i + 1, source: { path, sha256: sha256Of(bytes), width: w!, height: h! } });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AugmentPreviewService', () => {
  test('PNG tiles are exactly the pixels of THE augmentation function (the one training calls)', async () => {
    const service = new AugmentPreviewService();
    const { images } = await service.previewAll(sources, options());
    for (const [i, { source }] of sources.entries()) {
      const expected = previewVariants(await decodeForPreview(source, 48), source.sha256, 4, params, 7);
      for (const k of [0, 3]) expect(await pixelsOf(images[i]!.variants[k]!)).toEqual(toBytes(expected.variants[k]!));
    }
  });

  test('JPEG tiles are JPEGs within a few levels of the exact pixels', async () => {
    const service = new AugmentPreviewService();
    const { images } = await service.previewAll(sources.slice(0, 1), options({ format: 'jpeg' }));
    expect(images[0]!.variants[1]).toMatch(/^data:image\/jpeg;base64,/);
    const exact = toBytes(
      previewVariants(await decodeForPreview(sources[0]!.source, 48), sources[0]!.source.sha256, 4, params, 7).variants[1]!,
    );
    const shown = await pixelsOf(images[0]!.variants[1]!);
    let sum = 0;
    for (let i = 0; i < exact.length; i++) sum += Math.abs(exact[i]! - shown[i]!);
    // Noise pictures are JPEG's worst case; a drift of whole tens of levels would mean other pixels.
    expect(sum / exact.length).toBeLessThan(12);
  });

  test('each sample is decoded once while parameters change, and tiles asked again are not recomputed', async () => {
    const service = new AugmentPreviewService();
    for (const rotation of [5, 10, 15]) {
      await service.previewAll(sources, options({ params: { ...params, rotation_range: rotation } }));
    }
    expect(service.stats.decodes).toBe(2);
    expect(service.stats.variants).toBe(3 * 2 * 4);
    // A drag's draft (first 2 variants), then the full set with the same parameters: only the other 2 are made.
    const moved = { ...params, rotation_range: 20 };
    await service.previewAll(sources, options({ params: moved, n: 2 }));
    const before = service.stats.variants;
    const full = await service.previewAll(sources, options({ params: moved }));
    expect(service.stats.variants - before).toBe(2 * 2);
    expect(full.images[0]!.variants).toHaveLength(4);
    // Another size is another decode.
    await service.previewAll(sources.slice(0, 1), options({ size: 32 }));
    expect(service.stats.decodes).toBe(3);
  });

  test('a request overtaken by a newer one under the same key stops; other keys are untouched', async () => {
    const service = new AugmentPreviewService();
    const first = service.claim('view-a');
    const other = service.claim('view-b');
    const pending = service.previewAll(sources, options({ params: { ...params, rotation_range: 1 } }), first);
    const second = service.claim('view-a');
    await expect(pending).rejects.toBeInstanceOf(PreviewSuperseded);
    expect(first()).toBe(false);
    expect(second()).toBe(true);
    expect(other()).toBe(true);
    const { images } = await service.previewAll(sources, options({ params: { ...params, rotation_range: 2 } }), second);
    expect(images).toHaveLength(2);
    expect(service.stats.superseded).toBe(1);
    // No key: never superseded.
    expect(service.claim(undefined)()).toBe(true);
  });
});
