import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, lastJson, runCliInWorkspace } from '../../cli/run-cli';
import { DATA, copyCatsDogs, tempDir } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('train-cli');
  copyCatsDogs(tmp.dir, 12, 6);
});
afterAll(() => tmp.cleanup());

const lds = (...argv: string[]): Promise<CliResult> => runCliInWorkspace(tmp.dir, argv);

describe('lds train, runs, backbones, doctor', () => {
  test('train --json prints exactly the train object as its last line; epochs go to stderr', async () => {
    expect((await lds('import', join(tmp.dir, 'photos'), '--json')).code).toBe(0);
    const r = await lds('train', '--mode', 'bottleneck', '--epochs', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(Object.keys(out)).toEqual([
      'runId',
      'mode',
      'backend',
      'backbone',
      'epochs',
      'trainAccuracy',
      'valAccuracy',
      'valAccuracyInterval',
      'valCount',
      'bestEpoch',
      'epochChosenOnValidation',
      'valLoss',
      'secondsPerEpoch',
      'featureSeconds',
      'imagesPerSecond',
    ]);
    expect(out).toMatchObject({ mode: 'bottleneck', backend: 'wasm', backbone: 'mobilenet_v2_0.35_224', epochs: 3 });
    // 6 validation images per class: the interval is wide, and the epoch was picked on those same images.
    expect(out).toMatchObject({ valCount: 12, epochChosenOnValidation: true });
    const [low, high] = out.valAccuracyInterval as [number, number];
    expect(low).toBeLessThan(out.valAccuracy as number);
    expect(high).toBeGreaterThanOrEqual(out.valAccuracy as number);
    expect(high - low).toBeGreaterThan(0.2);
    expect(r.stderr).toMatch(/^epoch 1: loss \d\.\d{4} acc \d+\.\d% val_loss \d\.\d{4} val_acc \d+\.\d% \(\d+\.\d\d s\)$/m);

    const runs = await lds('runs', '--json');
    const list = lastJson(runs.stdout).runs as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: out.runId, status: 'succeeded', metrics: { featuresComputed: 36 } });
    expect(list[0]?.epochs).toHaveLength(3);
  });

  test('bad requests fail with one clear line and a non-zero exit', async () => {
    const bad = await lds('train', '--mode', 'finetune', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/fine-tune needs a finished bottleneck run/);
    const unknown = await lds('train', '--mode', 'bottleneck', '--backend', 'tpu', '--epochs', '1');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown backend "tpu": choose one of node-gpu, node, wasm, cpu/);
    const preset = await lds('train', '--mode', 'scratch', '--augment', 'wobbly');
    expect(preset.stderr).toMatch(/no augmentation preset named "wobbly"/);
  });

  test('backbones add: a TF.js layers model folder (MobileNet v1 0.75) trains a bottleneck head; a bad folder is named', async () => {
    const v1 = join(DATA, 'models', 'mobilenet_v1_0.75_224');
    const added = await lds('backbones', 'add', v1, '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(lastJson(added.stdout)).toMatchObject({
      id: 'mobilenet_v1_0.75_224',
      featureLayer: 'conv_pw_13_relu',
      topBlockStart: 'conv_dw_13',
      inputSize: 224,
      bundled: false,
    });
    const list = lastJson((await lds('backbones', '--json')).stdout).backbones as { id: string }[];
    expect(list.map((b) => b.id)).toEqual(['mobilenet_v2_0.35_224', 'mobilenet_v1_0.75_224']);
    const run = await lds('train', '--mode', 'bottleneck', '--backbone', 'mobilenet_v1_0.75_224', '--epochs', '2', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout)).toMatchObject({ backbone: 'mobilenet_v1_0.75_224' });

    const missing = await lds('backbones', 'add', join(tmp.dir, 'photos'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`${join(tmp.dir, 'photos')}: no model.json here`);
  });

  test('doctor --json names the active backend and why the native ones are unavailable', async () => {
    const r = await lds('doctor', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = lastJson(r.stdout);
    expect(report).toMatchObject({ active: 'wasm', simd: true, threads: 1 });
    expect(JSON.stringify(report.candidates)).toContain('package @tensorflow/tfjs-node-gpu is not installed');
  });
});
