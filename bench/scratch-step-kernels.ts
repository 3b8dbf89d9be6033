/**
 * Where the scratch CNN's training step spends its CPU time on wasm, kernel by kernel (issue 15).
 * CPU time of this thread (bench/lib/thread-cpu.ts), so the figures mean something on a loaded
 * machine where wall time does not. Kernels that run other kernels inside (the wasm-gradients ones
 * written with ops) are shown inclusive, their inner kernels indented.
 * Run: LDS_BENCH_SCRIPT=./scratch-step-kernels.ts node bench/cpu-engine-run.mjs [--batch 16] [--steps 4] [--rows 30]
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { recipeCnn } from '../src/main/training/worker/modes/scratch';
import { shareGradients } from '../src/main/training/worker/parallel/gradient-share';
import { useWasmBackend } from '../src/main/training/worker/wasm-gradients';
import { threadCpuMs } from './lib/thread-cpu';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BATCH = arg('batch', 16);
const STEPS = arg('steps', 4);
const ROWS = arg('rows', 30);

async function main(): Promise<void> {
  await useWasmBackend();
  const inclusive = new Map<string, number>();
  const exclusive = new Map<string, number>();
  const childTime: number[] = [];
  let recording = false;
  for (const kernel of tf.getKernelsForBackend('wasm')) {
    const run = kernel.kernelFunc;
    tf.unregisterKernel(kernel.kernelName, 'wasm');
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        if (!recording) return run(args);
        const shapes = Object.values(args.inputs).map((i) => (i as tf.TensorInfo | undefined)?.shape.join('x') ?? '-');
        const started = threadCpuMs();
        childTime.push(0);
        try {
          return run(args);
        } finally {
          const spent = threadCpuMs() - started;
          const inner = childTime.pop()!;
          if (childTime.length) childTime[childTime.length - 1]! += spent;
          const key = `${'  '.repeat(childTime.length)}${kernel.kernelName} ${shapes.join(',')}`;
          inclusive.set(key, (inclusive.get(key) ?? 0) + spent);
          exclusive.set(key, (exclusive.get(key) ?? 0) + spent - inner);
        }
      },
    });
  }
  const { logits } = recipeCnn(150, 2, 1);
  const x = tf.randomUniform([BATCH, 150, 150, 3], 0, 1, 'float32', 5);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % 2),
      'int32',
    ),
    2,
  );
  const optimizer = tf.train.adam(1e-3);
  const step = (): void => {
    const { grads } = shareGradients(logits, x, y, 'softmax-logits');
    optimizer.applyGradients(logits.trainableWeights.map((w, k) => ({ name: w.name, tensor: grads[k]! })));
    tf.dispose(grads);
  };
  step();
  step();
  recording = true;
  const started = threadCpuMs();
  for (let i = 0; i < STEPS; i++) step();
  const perStep = (threadCpuMs() - started) / STEPS;
  recording = false;
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; batch ${BATCH}: ${perStep.toFixed(1)} CPU-ms per step`,
  );
  console.log('  self   incl.  kernel (input shapes)');
  const rows = [...inclusive.entries()].map(([key, total]) => ({ key, total: total / STEPS, self: (exclusive.get(key) ?? 0) / STEPS }));
  for (const r of rows.sort((a, b) => b.self - a.self).slice(0, ROWS)) {
    console.log(`${r.self.toFixed(1).padStart(7)} ${r.total.toFixed(1).padStart(7)}  ${r.key}`);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  logits.dispose();
}

void main();
