import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodePngRgb } from '../../augment';
import type { BackboneSpec } from '../backbones/backbone-spec';
import { recipeCnn } from './modes/scratch';
import { createWasmPool } from './parallel';
import { shareGradients } from './parallel/gradient-share';

export interface DoctorBench {
  backend: string;
  threads: number;
  /** Backbone forward + global pooling on TF.js, decode and resize of PNG files included; null without a backbone. */
  featureImagesPerSecond: number | null;
  /** The product's forward engine (ONNX Runtime where the backbone converts) on batches of 16; null without a backbone. */
  forward: ForwardBench | null;
  /** One batch-16 step of the recipe's scratch CNN at 150 px (gradients + RMSprop update). */
  scratchStepSeconds: number;
  /** Largest |active - cpu| over every gradient kernel the engine provides, on small random inputs. */
  gradientCheckMaxError: number;
}

export interface ForwardBench {
  engine: 'onnxruntime' | 'tfjs';
  provider: string | null;
  /** Forward pass only (input already preprocessed), batches of 16, median of a few. */
  imagesPerSecond: number;
  /** Why this engine and provider (the same words a run's notes use). */
  reason: string;
}

export interface DoctorBenchOptions {
  /** The backbone whose feature extraction is timed (the bundled MobileNet v2 normally). */
  backbone?: BackboneSpec | null;
  /** Worker threads for wasm; default one per core. */
  threads?: number;
  onProgress?: (message: string) => void;
  /** --device for the forward engine (auto when null). */
  device?: string | null;
}

const FEATURE_IMAGES = 48;
const FORWARD_BATCH = 16;
const FORWARD_REPEATS = 5;
const SCRATCH_STEPS = 3;

/**
 * `lds doctor --bench`: a speed and correctness check of the active tfjs backend that a user can
 * run on their own machine in well under a minute. The backend must already be active (and, for
 * wasm, its gradients installed).
 */
export async function runDoctorBench(options: DoctorBenchOptions = {}): Promise<DoctorBench> {
  const backend = tf.getBackend();
  const parallel = backend === 'wasm' ? Math.max(1, options.threads ?? availableParallelism()) : 1;
  options.onProgress?.('gradient check');
  const gradientCheckMaxError = await gradientCheck();
  options.onProgress?.('scratch CNN step');
  const scratch = await scratchStepSeconds(backend, parallel);
  let featureImagesPerSecond: number | null = null;
  let forward: ForwardBench | null = null;
  if (options.backbone) {
    options.onProgress?.('feature extraction');
    featureImagesPerSecond = await featureRate(options.backbone, backend, parallel);
    options.onProgress?.('forward engine');
    forward = await forwardRate(options.backbone, options.device ?? null);
  }
  return {
    backend,
    threads: Math.max(parallel, scratch.threads),
    featureImagesPerSecond: featureImagesPerSecond === null ? null : round(featureImagesPerSecond, 1),
    forward,
    scratchStepSeconds: round(scratch.seconds, 3),
    gradientCheckMaxError,
  };
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

/** Each provided gradient kernel on the active backend vs the cpu backend. */
export async function gradientCheck(): Promise<number> {
  const active = tf.getBackend();
  const cases = (): tf.Tensor[] =>
    tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 0.5, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 2) as tf.Tensor4D;
      const d = tf.randomNormal([3, 3, 3, 2], 0, 0.5, 'float32', 3) as tf.Tensor4D;
      const out: tf.Tensor[] = [];
      for (const [stride, pad] of [
        [1, 'same'],
        [2, 'valid'],
      ] as const) {
        out.push(
          ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))))([
            x,
            f,
          ]),
        );
        out.push(
          ...tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))),
          )([x, d]),
        );
      }
      return out;
    });
  const read = (ts: tf.Tensor[]): Float32Array[] => {
    const values = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return values;
  };
  const mine = read(cases());
  if (active === 'cpu') return 0;
  await tf.setBackend('cpu');
  let reference: Float32Array[];
  try {
    reference = read(cases());
  } finally {
    await tf.setBackend(active);
  }
  let worst = 0;
  mine.forEach((m, k) => {
    const r = reference[k]!;
    for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(m[i]! - r[i]!));
  });
  return worst;
}

/** Median step time; on wasm with several cores both the one-thread and the data-parallel path are timed and the faster wins. */
async function scratchStepSeconds(backend: string, parallel: number): Promise<{ seconds: number; threads: number }> {
  // The pure-JS cpu backend needs minutes for a batch of 16: time a batch of 2 and scale.
  const batch = backend === 'cpu' ? 2 : 16;
  const { logits } = recipeCnn(150, 2, 1);
  const x = tf.randomUniform([batch, 150, 150, 3], 0, 1, 'float32', 5);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 2),
      'int32',
    ),
    2,
  );
  const optimizer = tf.train.rmsprop(1e-4);
  const steps = backend === 'cpu' ? 1 : SCRATCH_STEPS;
  const time = async (step: () => Promise<void>): Promise<number> => {
    await step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      await step();
      times.push((performance.now() - t) / 1000);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! * (16 / batch);
  };
  try {
    const single = await time(async () => {
      const { grads } = shareGradients(logits, x, y, 'softmax-logits');
      optimizer.applyGradients(logits.trainableWeights.map((w, k) => ({ name: w.name, tensor: grads[k]! })));
      tf.dispose(grads);
    });
    if (parallel < 2) return { seconds: single, threads: 1 };
    const pool = await createWasmPool({ threads: parallel });
    try {
      await pool.loadTrainingModel(logits, 'softmax-logits');
      const shared = await time(async () => {
        const { grads } = await pool.gradientStep(logits, x, y);
        optimizer.applyGradients(grads);
        tf.dispose(Object.values(grads));
      });
      return shared < single ? { seconds: shared, threads: parallel } : { seconds: single, threads: 1 };
    } finally {
      await pool.close();
    }
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    logits.dispose();
  }
}

/** Writes noise PNGs (decode + resize are part of the measured work) and extracts their features. */
async function featureRate(spec: BackboneSpec, backend: string, parallel: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'lds-doctor-bench-'));
  try {
    const size = 320;
    const paths: string[] = [];
    for (let i = 0; i < FEATURE_IMAGES; i++) {
      const pixels = new Uint8Array(size * size * 3).map((_, k) => (k * 31 + i * 97) & 255);
      const path = join(dir, `noise-${i}.png`);
      await writeFile(path, encodePngRgb(pixels, size, size));
      paths.push(path);
    }
    const requests = paths.map((path) => ({ item: { path, sha256: '0'.repeat(64), label: 0, split: 'train' as const }, variant: null }));
    if (backend !== 'wasm') {
      const { loadBackbone } = await import('../backbones/backbones');
      const { inputBatch } = await import('./image-batches');
      const loaded = await loadBackbone(spec);
      try {
        const started = performance.now();
        for (let i = 0; i < requests.length; i += 16) {
          const x = await inputBatch(
            requests.slice(i, i + 16).map((r) => r.item),
            spec.preprocessing,
            null,
          );
          const pooled = tf.tidy(() => tf.mean(loaded.features.predict(x) as tf.Tensor4D, [1, 2]));
          await pooled.data();
          tf.dispose([x, pooled]);
        }
        return requests.length / ((performance.now() - started) / 1000);
      } finally {
        loaded.dispose();
      }
    }
    const pool = await createWasmPool({ threads: parallel });
    try {
      await pool.loadBackbone(spec);
      await pool.extractFeatures(requests.slice(0, 2 * parallel), null, { chunkSize: 1 });
      const started = performance.now();
      await pool.extractFeatures(requests, null);
      return requests.length / ((performance.now() - started) / 1000);
    } finally {
      await pool.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The forward engine every inference caller uses, timed the way it runs in a bottleneck run: the
 * backbone cut at its feature layer, batches of 16, input already preprocessed (decode is timed above).
 */
async function forwardRate(spec: BackboneSpec, device: string | null): Promise<ForwardBench> {
  const { loadBackbone } = await import('../backbones/backbones');
  const { createForward } = await import('../forward');
  const loaded = await loadBackbone(spec);
  try {
    const engine = await createForward({ featuresDir: null, deviceName: device }).open(loaded.model, spec.featureLayer);
    try {
      const size = engine.inputShape.map((d) => (d > 0 ? d : 224)).reduce((a, b) => a * b, 1);
      const input = new Float32Array(FORWARD_BATCH * size).map((_, k) => ((k * 2654435761) % 1000) / 500 - 1);
      // Given away, as the pipeline gives its batches (each a copy made before the clock starts).
      await engine.run(input.slice(), FORWARD_BATCH, { transfer: true });
      const times: number[] = [];
      for (let i = 0; i < FORWARD_REPEATS; i++) {
        const batch = input.slice();
        const started = performance.now();
        await engine.run(batch, FORWARD_BATCH, { transfer: true });
        times.push((performance.now() - started) / 1000);
      }
      const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      return { engine: engine.engine, provider: engine.provider, imagesPerSecond: round(FORWARD_BATCH / median, 1), reason: engine.reason };
    } finally {
      await engine.dispose();
    }
  } finally {
    loaded.dispose();
  }
}
