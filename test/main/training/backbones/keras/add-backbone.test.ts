import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backboneSpecSchema } from '../../../../../src/main/training/backbones/backbone-spec';
import { addBackboneToRegistry } from '../../../../../src/main/training/backbones/keras';
import { weightsSha256 } from '../../../../../src/main/training/worker/model-io';
import { useWasmBackend, writeKerasH5 } from './helpers';

const MODELS = join(__dirname, '../../../../../../shared/data/models');

let dir: string;
let registry: string;
beforeAll(async () => {
  await useWasmBackend();
  dir = mkdtempSync(join(tmpdir(), 'lds-add-backbone-'));
  registry = join(dir, 'backbones');
  mkdirSync(registry);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('addBackboneToRegistry', () => {
  it('stores a Keras .h5 as a TF.js layers model with its sha256 and a spec the training engine accepts', async () => {
    const before = tf.memory().numTensors;
    const { spec, backbone } = await addBackboneToRegistry(join(MODELS, 'mobilenet_2_5_224_tf_no_top.h5'), registry);
    expect(backboneSpecSchema.parse(spec)).toEqual(spec);
    expect(spec).toMatchObject({
      id: 'mobilenet_v1_0.25_224',
      featureLayer: 'conv_pw_13_relu',
      topBlockStart: 'conv_dw_13',
      dir: join(registry, 'mobilenet_v1_0.25_224'),
    });
    expect(spec.preprocessing).toEqual({ inputSize: 224, channelOrder: 'rgb', mode: 'tf', resize: 'bilinear' });
    expect(readdirSync(spec.dir).sort()).toEqual(['backbone.json', 'model.json', 'weights.bin']);
    expect(spec.weightsSha256).toBe(weightsSha256(spec.dir));
    expect(JSON.parse(readFileSync(join(spec.dir, 'backbone.json'), 'utf8'))).toMatchObject({
      arch: 'mobilenet_v1',
      alpha: 0.25,
      weightsSha256: backbone.weightsSha256,
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stores the Teachable Machine export as its truncated MobileNet v2 base', async () => {
    const { spec } = await addBackboneToRegistry(join(MODELS, 'tm_mobilenet_v2_0.35_224'), registry);
    expect(spec).toMatchObject({ id: 'tm_mobilenet_v2_0.35_224', featureLayer: 'out_relu', topBlockStart: 'block_16_expand' });
    expect(JSON.parse(readFileSync(join(spec.dir, 'model.json'), 'utf8')).weightsManifest[0].weights).toHaveLength(260);
  });

  it('leaves the registry unchanged when the file is bad', async () => {
    const listing = (): string[] => readdirSync(registry).sort();
    const before = listing();
    const notH5 = join(dir, 'notes.h5');
    writeFileSync(notH5, 'not hdf5');
    await expect(addBackboneToRegistry(notH5, registry)).rejects.toThrow(/notes\.h5: not an HDF5 file/);
    const wrong = join(dir, 'wrong.h5');
    await writeKerasH5(wrong, [
      {
        name: 'block1_conv1',
        weights: [
          { name: 'block1_conv1/kernel:0', shape: [3, 3, 3, 5], values: new Float32Array(135) },
          { name: 'block1_conv1/bias:0', shape: [5], values: new Float32Array(5) },
        ],
      },
      {
        name: 'block2_conv1',
        weights: [
          { name: 'block2_conv1/kernel:0', shape: [3, 3, 4, 8], values: new Float32Array(288) },
          { name: 'block2_conv1/bias:0', shape: [8], values: new Float32Array(8) },
        ],
      },
    ]);
    await expect(addBackboneToRegistry(wrong, registry)).rejects.toThrow(
      /layer block1_conv1 .*\[3, 3, 3, 5\] in the file but the model expects \[3, 3, 3, 4\]/,
    );
    expect(listing()).toEqual(before);
  });
});
