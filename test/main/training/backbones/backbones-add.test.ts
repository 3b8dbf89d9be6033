import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, lastJson, runCliInWorkspace } from '../../cli/run-cli';
import { DATA, copyCatsDogs, tempDir } from '../fixtures';

const H5 = join(DATA, 'models', 'mobilenet_2_5_224_tf_no_top.h5');
const TM = join(DATA, 'models', 'tm_mobilenet_v2_0.35_224');

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('backbones-add');
  copyCatsDogs(tmp.dir, 40, 25);
});
afterAll(() => tmp.cleanup());

const lds = (...argv: string[]): Promise<CliResult> => runCliInWorkspace(tmp.dir, argv);
const registry = (): string[] => (existsSync(join(tmp.dir, 'ws', 'backbones')) ? readdirSync(join(tmp.dir, 'ws', 'backbones')).sort() : []);

describe('lds backbones add: Keras .h5 and Teachable Machine exports', () => {
  test('the real Keras MobileNet 0.25 .h5 lands in the registry with its sha256 and a bottleneck run on it beats 0.75', async () => {
    expect((await lds('import', join(tmp.dir, 'photos'), '--json')).code).toBe(0);
    const added = await lds('backbones', 'add', H5, '--json');
    expect(added.code, added.stderr).toBe(0);
    const info = lastJson(added.stdout);
    expect(info).toMatchObject({
      id: 'mobilenet_v1_0.25_224',
      arch: 'mobilenet_v1',
      inputSize: 224,
      featureLayer: 'conv_pw_13_relu',
      topBlockStart: 'conv_dw_13',
      bundled: false,
    });
    const dir = join(tmp.dir, 'ws', 'backbones', 'mobilenet_v1_0.25_224');
    expect(info.weightsSha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(dir, 'weights.bin')))
        .digest('hex'),
    );
    expect(info.sizeBytes).toBeGreaterThan(800_000);
    const list = lastJson((await lds('backbones', '--json')).stdout).backbones as { id: string }[];
    expect(list.map((b) => b.id)).toContain('mobilenet_v1_0.25_224');

    const run = await lds('train', '--mode', 'bottleneck', '--backbone', 'mobilenet_v1_0.25_224', '--epochs', '20', '--json');
    expect(run.code, run.stderr).toBe(0);
    const out = lastJson(run.stdout);
    expect(out).toMatchObject({ backbone: 'mobilenet_v1_0.25_224' });
    expect(out.valAccuracy as number).toBeGreaterThan(0.75);

    // Fine-tune knows MobileNet v1's top block (conv_dw_13 .. conv_pw_13_relu) of the imported weights.
    const tuned = await lds('train', '--mode', 'finetune', '--from', out.runId as string, '--epochs', '1', '--json');
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(lastJson(tuned.stdout)).toMatchObject({ mode: 'finetune', backbone: 'mobilenet_v1_0.25_224' });
  });

  test('a bad .h5 (truncated, not HDF5) fails naming the file and leaves the registry and list unchanged', async () => {
    const before = registry();
    const listBefore = (await lds('backbones', '--json')).stdout;
    const truncated = join(tmp.dir, 'truncated.h5');
    writeFileSync(truncated, readFileSync(H5).subarray(0, 200_000));
    const notHdf5 = join(tmp.dir, 'notes.h5');
    writeFileSync(notHdf5, 'these are not weights\n');
    for (const file of [truncated, notHdf5]) {
      const r = await lds('backbones', 'add', file);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(file);
    }
    const wrongArch = await lds('backbones', 'add', H5, '--arch', 'vgg16', '--id', 'wrong');
    expect(wrongArch.code).not.toBe(0);
    expect(wrongArch.stderr).toMatch(/block1_conv1|layer/);
    const badFlag = await lds('backbones', 'add', H5, '--preprocessing', 'sepia');
    expect(badFlag.stderr).toContain('--preprocessing must be one of mobilenet, caffe, unit');
    expect(registry()).toEqual(before);
    expect((await lds('backbones', '--json')).stdout).toBe(listBefore);
  });

  test('a Teachable Machine export is truncated to its base and trains a bottleneck run on a small subset', async () => {
    const added = await lds('backbones', 'add', TM, '--json');
    expect(added.code, added.stderr).toBe(0);
    const info = lastJson(added.stdout);
    expect(info).toMatchObject({ id: 'tm_mobilenet_v2_0.35_224', inputSize: 224, bundled: false });
    expect(registry()).toContain('tm_mobilenet_v2_0.35_224');
    const run = await lds('train', '--mode', 'bottleneck', '--backbone', 'tm_mobilenet_v2_0.35_224', '--epochs', '5', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout)).toMatchObject({ backbone: 'tm_mobilenet_v2_0.35_224' });
    expect(lastJson(run.stdout).valAccuracy as number).toBeGreaterThan(0.6);
  });

  test("layers lists a TF.js model's feature maps with the default; a wrong feature layer names the ones there are", async () => {
    const v1 = join(DATA, 'models', 'mobilenet_v1_0.75_224');
    const layers = await lds('backbones', 'layers', v1, '--json');
    expect(layers.code, layers.stderr).toBe(0);
    const choice = lastJson(layers.stdout) as { layers: { name: string; shape: number[] }[]; defaultLayer: string };
    expect(choice.defaultLayer).toBe('conv_pw_13_relu');
    expect(choice.layers.find((l) => l.name === 'conv_pw_13_relu')?.shape).toEqual([7, 7, 768]);
    const before = registry();
    const wrong = await lds('backbones', 'add', v1, '--feature-layer', 'nope', '--id', 'v1-wrong');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/no 4D layer named nope; choose one of .*conv_pw_13_relu \(default conv_pw_13_relu\)/);
    expect(registry()).toEqual(before);
  });

  test('download offline: the job fails naming the file, its URL and how to add it by hand', async () => {
    const r = await lds('backbones', 'download', 'vgg16');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(r.stderr).toContain('https://storage.googleapis.com/tensorflow/keras-applications/vgg16/');
    expect(r.stderr).toContain('lds backbones add');
  });
});
