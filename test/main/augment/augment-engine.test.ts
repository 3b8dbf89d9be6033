import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { augmentParamsSchema } from '@shared/contract/augment';
import { Engine } from '../../../src/main/engine/engine';
import { decodeForPreview, previewVariants } from '../../../src/main/augment';
import { inputBatch } from '../../../src/main/training/worker/image-batches';
import { noisyJpeg } from '../../fixtures/images';
import { useBackend } from './tf-backend';

let dir: string;
let engine: Engine;
let imageIds: number[];

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'lds-augment-'));
  engine = new Engine({ userDataDir: join(dir, 'user'), resourcesDir: resolve(__dirname, '../../../resources'), version: '0.0.0-test' });
  await engine.call('project.open', { dir: join(dir, 'ws'), create: true });
  const root = join(dir, 'pics', 'cats');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'a.jpg'), await noisyJpeg(64, 48, 1));
  writeFileSync(join(root, 'b.jpg'), await noisyJpeg(40, 40, 2));
  const finished = new Promise<void>((done) => {
    const off = engine.events.on('job.finished', () => {
      off();
      done();
    });
  });
  await engine.call('library.import', { paths: [join(dir, 'pics')] });
  await finished;
  imageIds = (await engine.call('library.list', {})).map((i) => i.id);
  expect(imageIds).toHaveLength(2);
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('presets', () => {
  test('built-ins are listed with Keras names and the blog values', async () => {
    const presets = await engine.call('augment.presets', {});
    expect(presets.map((p) => p.name)).toEqual(['none', 'light', 'keras-blog', 'strong']);
    // The blog's train_datagen (what its ~0.80 was trained with), shear in degrees.
    const blog = presets.find((p) => p.name === 'keras-blog')!;
    expect(blog.builtin).toBe(true);
    expect(blog.params).toMatchObject({
      rotation_range: 0,
      width_shift_range: 0,
      height_shift_range: 0,
      shear_range: 11.46,
      zoom_range: 0.2,
      horizontal_flip: true,
      fill_mode: 'nearest',
    });
    // Its illustration generator.
    expect(presets.find((p) => p.name === 'strong')!.params).toMatchObject({
      rotation_range: 40,
      width_shift_range: 0.2,
      height_shift_range: 0.2,
      shear_range: 11.46,
      zoom_range: 0.2,
      horizontal_flip: true,
    });
  });

  test('user presets: create, rename, duplicate, delete; built-ins are read-only', async () => {
    await engine.call('augment.savePreset', { name: 'mine', params: augmentParamsSchema.parse({ rotation_range: 5 }) });
    await engine.call('augment.renamePreset', { from: 'mine', to: 'ours' });
    const copy = await engine.call('augment.duplicatePreset', { from: 'strong', to: 'blog copy' });
    expect(copy).toMatchObject({ name: 'blog copy', builtin: false, params: { rotation_range: 40 } });
    let names = (await engine.call('augment.presets', {})).map((p) => p.name);
    expect(names).toEqual(['none', 'light', 'keras-blog', 'strong', 'blog copy', 'ours']);
    await expect(engine.call('augment.deletePreset', { name: 'light' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.call('augment.renamePreset', { from: 'keras-blog', to: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.call('augment.savePreset', { name: 'none', params: augmentParamsSchema.parse({}) })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(engine.call('augment.renamePreset', { from: 'ours', to: 'blog copy' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(engine.call('augment.deletePreset', { name: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await engine.call('augment.deletePreset', { name: 'ours' });
    await engine.call('augment.deletePreset', { name: 'blog copy' });
    names = (await engine.call('augment.presets', {})).map((p) => p.name);
    expect(names).toEqual(['none', 'light', 'keras-blog', 'strong']);
  });

  test('bad parameters are refused with a message naming the field', async () => {
    const result = await engine.invoke('augment.savePreset', { name: 'bad', params: { zoom_range: 1, fill_mode: 'mirror' } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toMatch(/zoom_range/);
      expect(result.error.message).toMatch(/fill_mode must be one of nearest, constant, reflect, wrap/);
    }
  });
});

describe('preview', () => {
  test('returns the original and n variants as PNG data URLs at the model input size', async () => {
    const out = await engine.call('augment.preview', { imageIds, n: 4, preset: 'keras-blog', seed: 3, size: 32 });
    expect(out.images).toHaveLength(2);
    for (const image of out.images) {
      expect([image.width, image.height]).toEqual([32, 32]);
      expect(image.original).toMatch(/^data:image\/png;base64,/);
      expect(image.variants).toHaveLength(4);
      expect(new Set(image.variants).size).toBe(4);
    }
    const again = await engine.call('augment.preview', { imageIds, n: 4, preset: 'keras-blog', seed: 3, size: 32 });
    expect(again.images).toEqual(out.images);
    const reseeded = await engine.call('augment.preview', { imageIds, n: 4, preset: 'keras-blog', seed: 4, size: 32 });
    expect(reseeded.images[0]!.variants).not.toEqual(out.images[0]!.variants);
  });

  test('a picture by path previews without a project, and variants page by their index', async () => {
    const bare = new Engine({
      userDataDir: join(dir, 'user-bare'),
      resourcesDir: resolve(__dirname, '../../../resources'),
      version: '0.0.0-test',
    });
    try {
      const path = join(dir, 'pics', 'cats', 'a.jpg');
      const all = await bare.call('augment.preview', { paths: [path], n: 4, preset: 'keras-blog', seed: 3, size: 32 });
      expect(all.images).toHaveLength(1);
      expect(all.images[0]).toMatchObject({ imageId: null, width: 32, height: 32 });
      // The same picture through the catalogue gives the same variants: the random stream keys on content.
      const byId = await engine.call('augment.preview', { imageIds: [imageIds[0]!], n: 4, preset: 'keras-blog', seed: 3, size: 32 });
      expect(byId.images[0]!.variants).toEqual(all.images[0]!.variants);
      const page = await bare.call('augment.preview', { paths: [path], n: 2, first: 2, preset: 'keras-blog', seed: 3, size: 32 });
      expect(page.images[0]!.variants).toEqual(all.images[0]!.variants.slice(2));
      await expect(bare.call('augment.preview', { paths: [path], preset: 'mine' })).rejects.toMatchObject({ code: 'no_project' });
      await expect(bare.call('augment.preview', { paths: [join(dir, 'nope.jpg')] })).rejects.toMatchObject({
        code: 'not_found',
        message: /nope\.jpg/,
      });
      await expect(bare.call('augment.preview', { imageIds, paths: [path] })).rejects.toMatchObject({
        code: 'invalid_input',
        message: /exactly one of imageIds and paths/,
      });
    } finally {
      await bare.close();
    }
  });

  test('source resolution keeps the picture size', async () => {
    const out = await engine.call('augment.preview', { imageIds: [imageIds[0]!], n: 2, size: 'source' });
    expect([out.images[0]!.width, out.images[0]!.height]).toEqual([64, 48]);
  });

  test('an unknown image or preset is a clear error', async () => {
    await expect(engine.call('augment.preview', { imageIds: [9999] })).rejects.toMatchObject({ code: 'not_found', message: /9999/ });
    await expect(engine.call('augment.preview', { imageIds, preset: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
      message: /nope/,
    });
  });

  test('variant k through the preview path equals variant k through the training data pipeline', async () => {
    const ws = engine.projects.require();
    const id = imageIds[0]!;
    const source = ws.catalogue.images.source(id)!;
    const detail = ws.catalogue.images.detail(id)!;
    const params = augmentParamsSchema.parse({
      rotation_range: 30,
      width_shift_range: 0.1,
      zoom_range: 0.2,
      horizontal_flip: true,
      brightness_range: [0.8, 1.2],
    });
    const size = 40;
    const decoded = await decodeForPreview({ sha256: source.sha256, path: source.path!, width: detail.width, height: detail.height }, size);
    const preview = previewVariants(decoded, source.sha256, 5, params, 17);
    const tf = await useBackend('wasm');
    const before = tf.memory().numTensors;
    const item = { path: source.path!, sha256: source.sha256, label: 0, split: 'train' as const };
    for (const k of [0, 4]) {
      // 'unit' mode is x / 255, so multiplying back gives the pixels the model was fed.
      const batch = await inputBatch(
        [item],
        { inputSize: size, channelOrder: 'rgb', mode: 'unit', resize: 'bilinear' },
        { params, seed: 17, variant: k },
      );
      const fed = (batch.dataSync() as Float32Array).map((v) => v * 255);
      batch.dispose();
      const shown = preview.variants[k]!;
      expect(fed.length).toBe(shown.length);
      let worst = 0;
      for (let i = 0; i < fed.length; i++) worst = Math.max(worst, Math.abs(fed[i]! - shown[i]!));
      expect(worst).toBeLessThan(1e-3);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('no tensors leak after a preview', async () => {
    const tf = await useBackend('wasm');
    const before = tf.memory().numTensors;
    await engine.call('augment.preview', { imageIds, n: 9, preset: 'keras-blog', size: 48 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
