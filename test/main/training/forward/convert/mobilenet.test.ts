import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { preprocessingPreset } from '../../../../../src/main/training/backbones/backbone-registry';
import {
  disposeModelDeep,
  innermostBase,
  loadTfjsFolderModel,
  validateTfjsFolder,
} from '../../../../../src/main/training/backbones/tfjs-folder';
import { loadLayersModelFromDir } from '../../../../../src/main/training/worker/model-io';
import { DATA, RESOURCES } from '../../fixtures';
import { describeBackbone, realImages } from './helpers';

const MODELS = join(DATA, 'models');
const MOBILENET_224 = { ...preprocessingPreset('mobilenet'), inputSize: 224 };

describeBackbone('bundled MobileNet v2 0.35 (resources/backbones) to ONNX', async () => {
  const model = await loadLayersModelFromDir(join(RESOURCES, 'backbones', 'mobilenet_v2_0.35_224'));
  return { model, reference: model, input: await realImages(4, MOBILENET_224), outputShape: [7, 7, 1280], dispose: () => model.dispose() };
});

describeBackbone('TF.js MobileNet v2 0.35 no-top (shared/data) to ONNX', async () => {
  const model = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v2_0.35_224_no_top')));
  return { model, reference: model, input: await realImages(3, MOBILENET_224), outputShape: [7, 7, 1280], dispose: () => model.dispose() };
});

describeBackbone('TF.js MobileNet v1 0.75 (ml5) whole classifier, Reshape/Conv/softmax head included', async () => {
  const model = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v1_0.75_224')));
  return { model, reference: model, input: await realImages(3, MOBILENET_224), outputShape: [1000], dispose: () => model.dispose() };
});

describeBackbone('TF.js MobileNet v1 0.75 (ml5) cut at conv_pw_13_relu, as the app cuts a backbone', async () => {
  const full = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'mobilenet_v1_0.75_224')));
  const model = tf.model({ inputs: full.inputs, outputs: full.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
  return {
    model,
    reference: model,
    input: await realImages(3, MOBILENET_224),
    outputShape: [7, 7, 768],
    dispose: () => full.dispose(),
  };
});

describeBackbone('Teachable Machine export (Sequential[Sequential[MobileNet v2, GAP], Sequential[Dense, Dense]]) whole', async () => {
  const model = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'tm_mobilenet_v2_0.35_224')));
  return { model, reference: model, input: await realImages(3, MOBILENET_224), outputShape: [3], dispose: () => disposeModelDeep(model) };
});

describeBackbone('Teachable Machine export up to out_relu inside its nested base (outputLayer option)', async () => {
  const model = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'tm_mobilenet_v2_0.35_224')));
  const base = innermostBase(model);
  const reference = tf.model({ inputs: base.inputs, outputs: base.getLayer('out_relu').output as tf.SymbolicTensor });
  return {
    model,
    reference,
    input: await realImages(3, MOBILENET_224),
    options: { outputLayer: 'out_relu' },
    outputShape: [7, 7, 1280],
    dispose: () => disposeModelDeep(model),
  };
});

describeBackbone("Teachable Machine export up to its nested head's first Dense (a sub-model applied as a layer)", async () => {
  const model = await loadTfjsFolderModel(validateTfjsFolder(join(MODELS, 'tm_mobilenet_v2_0.35_224')));
  const head = model.layers[1] as tf.LayersModel;
  const dense1 = head.layers.find((l) => l.getClassName() === 'Dense')!;
  const features = model.layers[0] as tf.LayersModel;
  // TF.js reference: the pooled features through the first Dense layer, called eagerly (no new graph node).
  const reference = (x: tf.Tensor4D): tf.Tensor => dense1.apply(features.predict(x) as tf.Tensor) as tf.Tensor;
  return {
    model,
    reference,
    input: await realImages(3, MOBILENET_224),
    options: { outputLayer: dense1.name },
    outputShape: [100],
    dispose: () => disposeModelDeep(model),
  };
});
