import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundledBackbone, loadBackbone, type LoadedBackbone } from '../../../../src/main/training/backbones/backbones';
import { FeatureCache } from '../../../../src/main/training/protocol/feature-cache';
import { selectBackend } from '../../../../src/main/training/worker/backends';
import { extractFeatures } from '../../../../src/main/training/worker/modes/bottleneck';
import type { ManifestItem } from '../../../../src/main/training/protocol/worker-protocol';
import { catsDogsManifest, RESOURCES, tempDir } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
let backbone: LoadedBackbone;
let items: ManifestItem[];
const ctx = { progress: () => {}, checkpoint: async () => {} };
const plain = (list: ManifestItem[]) => list.map((item) => ({ item, variant: null }));

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  tmp = tempDir('features');
  backbone = await loadBackbone(bundledBackbone(RESOURCES));
  items = catsDogsManifest(3, 0).items;
});
afterAll(() => {
  backbone.dispose();
  tmp.cleanup();
});

describe('feature cache', () => {
  test('the second extraction computes nothing, also after a restart; features are identical', async () => {
    const before = tf.memory().numTensors;
    const first = await extractFeatures(ctx, backbone, new FeatureCache(join(tmp.dir, 'f')), plain(items), { params: null, seed: 1 });
    expect(first).toMatchObject({ computed: 6, fromCache: 0 });
    expect(first.features.length).toBe(6 * 1280);
    // A new cache object over the same folder is what a restarted app sees.
    const again = await extractFeatures(ctx, backbone, new FeatureCache(join(tmp.dir, 'f')), plain(items), { params: null, seed: 1 });
    expect(again).toMatchObject({ computed: 0, fromCache: 6 });
    expect(Array.from(again.features)).toEqual(Array.from(first.features));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('changing the backbone, its weights or its preprocessing misses', async () => {
    const cache = new FeatureCache(join(tmp.dir, 'f'));
    for (const spec of [
      { ...backbone.spec, id: 'other-backbone' },
      { ...backbone.spec, weightsSha256: 'f'.repeat(64) },
      { ...backbone.spec, preprocessing: { ...backbone.spec.preprocessing, mode: 'unit' as const } },
      { ...backbone.spec, preprocessing: { ...backbone.spec.preprocessing, resize: 'nearest' as const } },
    ]) {
      const r = await extractFeatures(ctx, { ...backbone, spec }, cache, plain(items.slice(0, 2)), { params: null, seed: 1 });
      expect(r.computed).toBe(2);
    }
    const unchanged = await extractFeatures(ctx, backbone, cache, plain(items.slice(0, 2)), { params: null, seed: 1 });
    expect(unchanged.computed).toBe(0);
  });

  test('augmented variants are cached per (seed, index) and differ from the plain features', async () => {
    const cache = new FeatureCache(join(tmp.dir, 'f'));
    const params = { horizontal_flip: true, rotation_range: 20 };
    const req = [
      { item: items[0] as ManifestItem, variant: 0 },
      { item: items[0] as ManifestItem, variant: 1 },
    ];
    const aug = await extractFeatures(ctx, backbone, cache, req, { params, seed: 5 });
    expect(aug.computed).toBe(2);
    expect((await extractFeatures(ctx, backbone, cache, req, { params, seed: 5 })).computed).toBe(0);
    expect((await extractFeatures(ctx, backbone, cache, req, { params, seed: 6 })).computed).toBe(2);
    const base = await extractFeatures(ctx, backbone, cache, plain(items.slice(0, 1)), { params: null, seed: 5 });
    expect(Array.from(aug.features.subarray(0, 1280))).not.toEqual(Array.from(base.features));
  });

  test('a torn cache file is a miss, never wrong features; size and clear', async () => {
    const root = join(tmp.dir, 'torn');
    const cache = new FeatureCache(root);
    await extractFeatures(ctx, backbone, cache, plain(items.slice(0, 1)), { params: null, seed: 1 });
    expect(FeatureCache.sizeBytes(root)).toBeGreaterThanOrEqual(1280 * 4);
    const file = (await import('node:fs')).readdirSync(root, { recursive: true, withFileTypes: true }).find((e) => e.name.endsWith('.f32'));
    writeFileSync(join(file?.parentPath ?? '', file?.name ?? ''), 'short');
    const r = await extractFeatures(ctx, backbone, new FeatureCache(root), plain(items.slice(0, 1)), { params: null, seed: 1 });
    expect(r.computed).toBe(1);
    FeatureCache.clear(root);
    expect(existsSync(root)).toBe(false);
  });
});

describe('feature cache writes', () => {
  test('a cache cleared under a running job is written again, not a failed run', () => {
    const root = join(tmp.dir, 'cleared');
    const cache = new FeatureCache(root);
    const sha = 'ab'.repeat(32);
    const row = Float32Array.from([1, 2, 3]);
    cache.put(sha, 'key', 'plain', row);
    FeatureCache.clear(root);
    expect(existsSync(root)).toBe(false);
    cache.put(sha, 'key', 'plain', row);
    expect(Array.from(new FeatureCache(root).get(sha, 'key', 'plain', 3) ?? [])).toEqual([1, 2, 3]);
    expect(cache.writes).toBe(2);
  });
});
