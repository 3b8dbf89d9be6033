/**
 * CPU engine benchmark (issue 5): scratch CNN step, MobileNetV2 0.35 feature extraction (decode
 * included) and fine-tune step on the wasm backend, 1 vs 2 threads.
 * Run: node bench/cpu-engine-run.mjs [--images N] [--steps N] [--only PREFIX]
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackboneSpec } from '../src/main/training/backbones/backbone-spec';
import { recipeCnn } from '../src/main/training/worker/modes/scratch';
import { MOBILENET_PREPROCESSING } from '../src/main/training/worker/preprocess';
import { createWasmPool } from '../src/main/training/worker/parallel';
import { shareGradients } from '../src/main/training/worker/parallel/gradient-share';
import { layersModelFromFile } from '../src/main/training/worker/parallel/layers-model-file';
import { useWasmBackend } from '../src/main/training/worker/wasm-gradients';

// The bench runs from the repository root; ../shared/data sits beside the checkout.
const DATA = process.env.LDS_SHARED_DATA ?? join(process.cwd(), '../shared/data');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const IMAGES = arg('images', 128);
const STEPS = arg('steps', 4);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

const mobilenet: BackboneSpec = {
  id: 'mobilenet_v2_0.35_224',
  name: 'MobileNet v2 0.35',
  source: 'bench',
  dir: join(DATA, 'models/mobilenet_v2_0.35_224_no_top'),
  weightsSha256: '0'.repeat(64),
  featureLayer: 'out_relu',
  topBlockStart: 'block_16_expand',
  preprocessing: MOBILENET_PREPROCESSING,
};

/** Wall seconds and process CPU seconds (all threads): on a shared, loaded machine CPU time still tells the cost. */
interface Timing {
  wall: number;
  cpu: number;
}

async function timed(f: () => Promise<void> | void): Promise<Timing> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const used = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function medianTiming(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function batch16(size: number, classes: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return {
    x: tf.randomUniform([16, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D,
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => i % classes),
        'int32',
      ),
      classes,
    ) as tf.Tensor2D,
  };
}

async function scratchStep(threads: number): Promise<Timing> {
  const { logits } = recipeCnn(150, 2, 1);
  const { x, y } = batch16(150, 2);
  const optimizer = tf.train.rmsprop(1e-4);
  const times: Timing[] = [];
  if (threads === 1) {
    for (let i = 0; i <= STEPS; i++) {
      const t = await timed(() => {
        const { grads } = shareGradients(logits, x, y, 'softmax-logits');
        optimizer.applyGradients(logits.trainableWeights.map((w, k) => ({ name: w.name, tensor: grads[k]! })));
        tf.dispose(grads);
      });
      if (i > 0) times.push(t);
    }
  } else {
    const pool = await createWasmPool({ threads });
    await pool.loadTrainingModel(logits, 'softmax-logits');
    for (let i = 0; i <= STEPS; i++) {
      const t = await timed(async () => {
        const { grads } = await pool.gradientStep(logits, x, y);
        optimizer.applyGradients(grads);
        tf.dispose(Object.values(grads));
      });
      if (i > 0) times.push(t);
    }
    await pool.close();
  }
  tf.dispose([x, y]);
  logits.dispose();
  return medianTiming(times);
}

function imagePaths(n: number): string[] {
  const dirs = ['train/cats', 'train/dogs'].map((d) => join(DATA, 'cats_and_dogs_filtered', d));
  const all = dirs.flatMap((d) =>
    readdirSync(d)
      .sort()
      .map((f) => join(d, f)),
  );
  return all.slice(0, n);
}

async function featureRate(threads: number): Promise<Timing> {
  const pool = await createWasmPool({ threads });
  await pool.loadBackbone(mobilenet);
  const requests = imagePaths(IMAGES).map((path) => ({
    item: { path, sha256: '0'.repeat(64), label: 0, split: 'train' as const },
    variant: null,
  }));
  await pool.extractFeatures(requests.slice(0, 8 * threads), null); // warm-up: XNNPACK operator creation
  const t = await timed(() => pool.extractFeatures(requests, null).then(() => undefined));
  await pool.close();
  // images per wall second, and per CPU second
  return { wall: requests.length / t.wall, cpu: requests.length / t.cpu };
}

async function finetuneStep(): Promise<Timing> {
  const base = await tf.loadLayersModel(layersModelFromFile(join(mobilenet.dir, 'model.json')));
  let unfrozen = false;
  for (const layer of base.layers) {
    if (layer.name === mobilenet.topBlockStart) unfrozen = true;
    layer.trainable = unfrozen;
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.outputs[0]!) as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: head });
  const { x, y } = batch16(224, 2);
  const optimizer = tf.train.momentum(1e-4, 0.9);
  const times: Timing[] = [];
  for (let i = 0; i <= STEPS; i++) {
    const t = await timed(() => {
      const { grads } = shareGradients(model, x, y, 'softmax-logits');
      optimizer.applyGradients(model.trainableWeights.map((w, k) => ({ name: w.name, tensor: grads[k]! })));
      tf.dispose(grads);
    });
    if (i > 0) times.push(t);
  }
  tf.dispose([x, y]);
  model.dispose();
  return medianTiming(times);
}

async function main(): Promise<void> {
  await useWasmBackend();
  // Flat numbers (bench/stages/engine.ts reads the wall figures by name); `<name>_cpu` holds the
  // CPU-time figure (seconds, or images per CPU-second), which stays meaningful on a loaded machine.
  const results: Record<string, number> = {};
  const run = async (name: string, f: () => Promise<Timing>): Promise<void> => {
    if (only && !name.startsWith(only)) return;
    const t = await f();
    results[name] = Number(t.wall.toFixed(3));
    results[`${name}_cpu`] = Number(t.cpu.toFixed(3));
    console.log(name, 'wall', results[name], 'cpu', results[`${name}_cpu`]);
  };
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  await run('scratchStepSeconds_1thread', () => scratchStep(1));
  await run('scratchStepSeconds_2threads', () => scratchStep(2));
  await run('featureImagesPerSecond_1worker', () => featureRate(1));
  await run('featureImagesPerSecond_2workers', () => featureRate(2));
  await run('finetuneStepSeconds_1thread', () => finetuneStep());
  console.log(JSON.stringify(results));
}

void main();
