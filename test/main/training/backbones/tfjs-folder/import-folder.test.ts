import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveBackbone } from '../../../../../src/main/training/backbones/keras';
import {
  importTfjsFolder,
  listFeatureLayers,
  loadTfjsFolderModel,
  validateTfjsFolder,
} from '../../../../../src/main/training/backbones/tfjs-folder';
import { useWasmBackend } from '../keras/helpers';

const MODELS = join(__dirname, '../../../../../../shared/data/models');
const TM = join(MODELS, 'tm_mobilenet_v2_0.35_224');
const NO_TOP = join(MODELS, 'mobilenet_v2_0.35_224_no_top');
const V1 = join(MODELS, 'mobilenet_v1_0.75_224');

let dir: string;
beforeAll(async () => {
  await useWasmBackend();
  dir = mkdtempSync(join(tmpdir(), 'lds-tfjs-folder-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validateTfjsFolder', () => {
  it('accepts the shared TF.js folders and recognises the Teachable Machine export', () => {
    const tm = validateTfjsFolder(TM);
    expect(tm.teachableMachine).toMatchObject({ packageName: '@teachablemachine/image', imageSize: 224 });
    expect(tm).toMatchObject({ totalBytes: 2_154_432, tensorCount: 263 });
    const v1 = validateTfjsFolder(V1);
    expect(v1.teachableMachine).toBeNull();
    expect(v1).toMatchObject({ totalBytes: 10_407_904, tensorCount: 137 });
    expect(v1.modelJson.weightsManifest).toHaveLength(55);
  });

  it('names the file and the problem for broken folders', () => {
    const copy = (name: string): string => {
      const target = join(dir, name);
      cpSync(NO_TOP, target, { recursive: true });
      return target;
    };
    const short = copy('short');
    truncateSync(join(short, 'weights.bin'), 1000);
    expect(() => validateTfjsFolder(short)).toThrow(
      /short\/model\.json: weightsManifest\[0\] \(weights\.bin\) holds 1000 bytes but its 260 tensors need 1640832/,
    );
    const missing = copy('missing');
    unlinkSync(join(missing, 'weights.bin'));
    expect(() => validateTfjsFolder(missing)).toThrow(/missing\/model\.json: weight file weights\.bin \(weightsManifest\[0\]\) is missing/);
    const bad = copy('bad');
    writeFileSync(join(bad, 'model.json'), '{"modelTopology": ');
    expect(() => validateTfjsFolder(bad)).toThrow(/bad\/model\.json: not valid JSON/);
    expect(() => validateTfjsFolder(join(dir, 'nowhere'))).toThrow(/nowhere: no model\.json here/);
  });
});

describe('feature layers', () => {
  it('lists 4D layers and defaults to the last one before pooling (ml5 cut of MobileNet v1)', async () => {
    const model = await loadTfjsFolderModel(validateTfjsFolder(V1));
    const { candidates, defaultLayer } = listFeatureLayers(model);
    expect(defaultLayer).toBe('conv_pw_13_relu');
    expect(candidates.at(-1)).toMatchObject({ name: 'conv_pw_13_relu', shape: [7, 7, 768] });
    expect(candidates.some((c) => c.name === 'conv_preds')).toBe(false);
    model.dispose();
  });
});

describe('importTfjsFolder', () => {
  it('truncates the Teachable Machine export to its MobileNet v2 base (out_relu) and saves it as a backbone', async () => {
    const before = tf.memory().numTensors;
    const tm = await importTfjsFolder(TM);
    expect(tm.info).toMatchObject({
      arch: 'mobilenet_v2',
      alpha: 0.35,
      featureLayer: 'out_relu',
      inputSize: 224,
      outputShape: [7, 7, 1280],
    });
    expect(tm.info.source.kind).toBe('teachable-machine');
    expect(tm.info.preprocessing).toMatchObject({ mode: 'tf', channelOrder: 'rgb', inputSize: 224 });
    expect(tm.info.topBlockLayers[0]).toBe('block_16_expand');
    expect(tm.info.topBlockLayers.at(-1)).toBe('out_relu');

    const noTop = await loadTfjsFolderModel(validateTfjsFolder(NO_TOP));
    const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 5);
    const a = tm.model.predict(x) as tf.Tensor;
    const b = noTop.predict(x) as tf.Tensor;
    expect(a.shape).toEqual([1, 7, 7, 1280]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    expect((await diff.data())[0]).toBeLessThan(1e-5);

    const saved = await saveBackbone(tm.model, tm.info, join(dir, 'registry', 'tm'));
    expect(saved.weightsBytes).toBe(1_640_832);
    const reread = await importTfjsFolder(join(dir, 'registry', 'tm'));
    expect(reread.info).toMatchObject({ arch: 'mobilenet_v2', featureLayer: 'out_relu' });
    expect(JSON.parse(readFileSync(join(dir, 'registry', 'tm', 'backbone.json'), 'utf8')).source.kind).toBe('teachable-machine');

    tf.dispose([x, a, b, diff]);
    reread.dispose();
    noTop.dispose();
    tm.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a user-chosen feature layer and preprocessing, and rejects an unknown layer', async () => {
    const v1 = await importTfjsFolder(V1, { featureLayer: 'conv_pw_12_relu', preprocessing: { mode: 'unit' } });
    expect(v1.info).toMatchObject({ arch: 'mobilenet_v1', alpha: 0.75, featureLayer: 'conv_pw_12_relu', outputShape: [7, 7, 768] });
    expect(v1.info.preprocessing.mode).toBe('unit');
    v1.dispose();
    await expect(importTfjsFolder(V1, { featureLayer: 'nope' })).rejects.toThrow(/no 4D layer named nope; choose one of .*conv_pw_13_relu/);
  });
});
