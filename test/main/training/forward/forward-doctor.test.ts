import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../../src/main/engine/engine';
import { lastJson, runCli } from '../../cli/run-cli';
import { RESOURCES, tempDir } from '../fixtures';

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
beforeAll(() => {
  tmp = tempDir('forward-doctor');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
});
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('doctor and the device setting', () => {
  test('doctor says which forward engine runs, on which provider and why, beside the TF.js backend', async () => {
    const report = await engine.call('system.doctor', {});
    expect(report.active).toBe('wasm');
    expect(report.device).toBe('auto');
    expect(report.forward).toMatchObject({
      engine: 'onnxruntime',
      provider: 'cpu',
      forced: null,
      backbone: 'mobilenet_v2_0.35_224',
      unsupported: null,
    });
    expect(report.forward?.reason).toMatch(/^mobilenet_v2_0\.35_224: onnxruntime 1\.\d+\.\d+ on cpu: cpu: cuda is unavailable \(/);
    expect(report.forward?.providers.map((p) => p.name)).toEqual(['cpu', 'cuda']);
  });

  test('the setting persists per user and applies to the next job; an explicit device wins', async () => {
    expect(await engine.call('system.setDevice', { device: 'cuda' })).toEqual({ device: 'cuda' });
    expect(existsSync(join(tmp.dir, 'user', 'forward-device.json'))).toBe(true);
    const again = new Engine({ userDataDir: join(tmp.dir, 'user'), resourcesDir: RESOURCES, version: '0.0.0-test' });
    try {
      const report = await again.call('system.doctor', {});
      expect(report.device).toBe('cuda');
      expect(report.forward).toMatchObject({ provider: 'cpu', forced: 'cuda' });
      expect(report.forward?.reason).toContain('cuda was asked for but is unavailable');
      expect((await again.call('system.doctor', { device: 'cpu' })).forward).toMatchObject({ provider: 'cpu', forced: 'cpu' });
      await expect(again.call('system.doctor', { device: 'tpu' })).rejects.toThrow('unknown device "tpu"');
      await expect(again.call('system.setDevice', { device: 'tpu' as 'cpu' })).rejects.toThrow();
    } finally {
      await again.close();
      await engine.call('system.setDevice', { device: 'auto' });
    }
  });

  test('lds doctor prints both engines and --json carries the forward report; --device forces', async () => {
    const text = await runCli(tmp.dir, ['doctor', '--device', 'cpu']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/forward engine: onnxruntime on cpu \(device cpu\) — mobilenet_v2_0\.35_224: onnxruntime .* forced to cpu/);
    expect(text.stdout).toContain('GPU training needs tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1)');
    const json = await runCli(tmp.dir, ['doctor', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(lastJson(json.stdout).forward).toMatchObject({ engine: 'onnxruntime', provider: 'cpu' });
    const bad = await runCli(tmp.dir, ['doctor', '--device', 'tpu']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--device must be one of auto, cpu, dml, coreml, cuda, got "tpu"');
  });

  test('without a project the converted graph goes to a temp cache, not the resources folder', () => {
    expect(readdirSync(join(RESOURCES, 'backbones', 'mobilenet_v2_0.35_224')).some((f) => f.endsWith('.onnx'))).toBe(false);
  });
});
