/**
 * Micro-measurements of the training engine's inner loops, on synthetic tensors (no decode, no
 * catalogue): the bottleneck head's epoch with the lean loop the engine uses versus stock
 * model.fit, and one scratch-CNN step. The end-to-end figures come from `lds train` (stages/training.ts);
 * these say where the time of an epoch goes. Runnable on its own after `npm run bench` compiled it.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/main/training/worker/backends';
import { DenseHead } from '../src/main/training/worker/dense-head';
import { LinearHead } from '../src/main/training/worker/linear-head';
import { recipeCnn } from '../src/main/training/worker/modes/scratch';
import { lossAndCorrect } from '../src/main/training/worker/train-loop';
import { installWasmGradients } from '../src/main/training/worker/wasm-gradients';

export interface TrainingStepsResult {
  backend: string;
  /** The engine's default head: plain-JS dense + softmax + Adam. */
  headJsEpochSeconds: number;
  /** optimizer.minimize over pre-stacked feature tensors (the path for heads with a hidden layer). */
  headLeanEpochSeconds: number;
  headFitEpochSeconds: number;
  scratchStepSeconds: number;
  scratchInputSize: number;
}

export async function measureTrainingSteps(
  options: { images?: number; batch?: number; inputSize?: number; backend?: string } = {},
): Promise<TrainingStepsResult> {
  const n = options.images ?? 2000;
  const batch = options.batch ?? 32;
  const size = options.inputSize ?? 150;
  const report = await selectBackend({ force: options.backend ?? 'wasm', onWasmReady: installWasmGradients });

  const x = tf.randomNormal([n, 1280]) as tf.Tensor2D;
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 2),
    'int32',
  );
  const head = new DenseHead({ inputDim: 1280, numClasses: 2, hidden: 0, dropout: 0.2, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const leanEpoch = async (): Promise<number> => {
    const started = performance.now();
    for (let b = 0; b < n; b += batch) {
      const size = Math.min(batch, n - b);
      optimizer.minimize(
        () => tf.tidy(() => lossAndCorrect(head.apply(x.slice([b, 0], [size, -1]), true), labels.slice([b], [size]), 2).loss),
        false,
        head.variables,
      );
    }
    head.evaluate(x, labels);
    return (performance.now() - started) / 1000;
  };
  await leanEpoch();
  const lean = Math.min(await leanEpoch(), await leanEpoch());

  const xData = x.dataSync() as Float32Array;
  const yData = labels.dataSync() as Int32Array;
  const js = new LinearHead(1280, 2, 0.2, 1);
  const jsEpoch = (): number => {
    const started = performance.now();
    for (let b = 0; b < n; b += batch)
      js.step(
        xData,
        yData,
        Int32Array.from({ length: Math.min(batch, n - b) }, (_, i) => b + i),
        1e-3,
      );
    js.evaluate(xData, yData);
    return (performance.now() - started) / 1000;
  };
  jsEpoch();
  const jsSeconds = Math.min(jsEpoch(), jsEpoch(), jsEpoch());

  const model = tf.sequential({
    layers: [tf.layers.dropout({ rate: 0.2, inputShape: [1280] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const yFloat = labels.toFloat();
  const fitEpoch = async (): Promise<number> => {
    const started = performance.now();
    await model.fit(x, yFloat, { epochs: 1, batchSize: batch, verbose: 0 });
    return (performance.now() - started) / 1000;
  };
  await fitEpoch();
  const fit = Math.min(await fitEpoch(), await fitEpoch());

  const { model: cnn, logits } = recipeCnn(size, 2, 1);
  const variables = logits.trainableWeights.map((w) => w.read() as tf.Variable);
  const cnnOptimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([16, size, size, 3]);
  const y16 = tf.tensor1d(
    Array.from({ length: 16 }, (_, i) => i % 2),
    'int32',
  );
  const step = async (): Promise<number> => {
    const started = performance.now();
    const loss = cnnOptimizer.minimize(
      () => lossAndCorrect(logits.apply(images, { training: true }) as tf.Tensor2D, y16, 2).loss,
      true,
      variables,
    )!;
    await loss.data();
    loss.dispose();
    return (performance.now() - started) / 1000;
  };
  await step();
  const steps = [await step(), await step(), await step()].sort((a, b) => a - b);

  tf.dispose([x, labels, yFloat, images, y16]);
  head.dispose();
  optimizer.dispose();
  cnnOptimizer.dispose();
  model.dispose();
  cnn.dispose();
  return {
    backend: report.active,
    headJsEpochSeconds: jsSeconds,
    headLeanEpochSeconds: lean,
    headFitEpochSeconds: fit,
    scratchStepSeconds: steps[1] as number,
    scratchInputSize: size,
  };
}
