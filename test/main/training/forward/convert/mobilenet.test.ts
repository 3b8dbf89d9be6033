import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../../../src/main/training/forward/convert';
import { loadLayersModelFromDir } from '../../../../../src/main/training/worker/model-io';
import { preprocessingPreset } from '../../../../../src/main/training/backbones/backbone-registry';
import { RESOURCES } from '../../fixtures';
import { useWasmBackend } from '../../backbones/keras/helpers';
import { checkWithPython, independentReadersMissing, maxAbs, maxAbsDiff, realImages, runOnnx, type Converted } from './helpers';

const TOLERANCE = 1e-4;

function converted(result: ReturnType<typeof convertLayersModel>): Converted {
  if (!result.ok) throw new Error(`not converted: ${result.layer} (${result.className}): ${result.reason}`);
  return result;
}

describe('bundled MobileNet v2 0.35 to ONNX', () => {
  let model: tf.LayersModel;
  let input: tf.Tensor4D;
  let expected: Float32Array;
  let result: Converted;

  beforeAll(async () => {
    await useWasmBackend();
    model = await loadLayersModelFromDir(join(RESOURCES, 'backbones', 'mobilenet_v2_0.35_224'));
    input = await realImages(4, { ...preprocessingPreset('mobilenet'), inputSize: 224 });
    expected = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
    result = converted(convertLayersModel(model));
  });

  afterAll(() => {
    model?.dispose();
    input?.dispose();
  });

  it('gives the same feature map as TF.js on real photos (max abs ≤ 1e-4)', async () => {
    expect(result.inputShape).toEqual([-1, 224, 224, 3]);
    expect(result.outputShape).toEqual([-1, 7, 7, 1280]);
    expect(result.opset).toBe(13);
    const out = await runOnnx(result, input);
    expect(out.dims).toEqual([4, 7, 7, 1280]);
    expect(maxAbs(expected)).toBeGreaterThan(1);
    expect(maxAbsDiff(out.data, expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('passes onnx.checker (full check) and OpenCV DNN gives the same answer', async (context) => {
    const missing = independentReadersMissing();
    if (missing) context.skip(missing);
    const check = checkWithPython(result.onnx, input, { openCv: false });
    expect(check.ops).not.toContain('Identity');
    expect(check.ops).not.toContain('BatchNormalization');
    // OpenCV 4.6 reads Clip only in its pre-opset-11 form, so it gets the portable ReLU6 graph.
    const portable = converted(convertLayersModel(model, { portableRelu6: true }));
    const cv = checkWithPython(portable.onnx, input);
    expect(cv.outShape).toEqual([4, 7, 7, 1280]);
    expect(maxAbsDiff(cv.output!, (await runOnnx(portable, input)).data)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(cv.output!, expected)).toBeLessThanOrEqual(2 * TOLERANCE);
  });
});
