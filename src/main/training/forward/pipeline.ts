import type { ForwardEngine } from './forward-engine';

export interface PipelineOptions {
  count: number;
  batchSize: number;
  /** Model input for items [from, to): [to - from, H, W, C] float32. */
  input(from: number, to: number): Promise<Float32Array>;
  /** The engine's output for items [from, to), in order. */
  output(from: number, to: number, y: Float32Array): void | Promise<void>;
  /** Between batches: yields, and throws to stop (a cancelled run). */
  checkpoint?(): Promise<void>;
  /** Batches decoded ahead of the one running (default 2). */
  ahead?: number;
}

/**
 * Runs `engine` over `count` items in batches, decoding the next batches while the current one runs.
 * ONNX Runtime's run blocks the JavaScript thread, but sharp decodes on libuv's threads: the decodes
 * queued before a run go on during it, so decode and inference share the cores instead of taking turns.
 */
export async function runPipelined(engine: ForwardEngine, options: PipelineOptions): Promise<void> {
  const { count, batchSize } = options;
  const ahead = Math.max(1, options.ahead ?? 2);
  const batches = Math.ceil(count / batchSize);
  const range = (b: number): [number, number] => [b * batchSize, Math.min(count, (b + 1) * batchSize)];
  const pending = new Map<number, Promise<Float32Array>>();
  const start = (b: number): void => {
    if (b >= batches || pending.has(b)) return;
    const [from, to] = range(b);
    const p = options.input(from, to);
    // Awaited in order below; until then a failure must not count as unhandled.
    p.catch(() => undefined);
    pending.set(b, p);
  };
  try {
    for (let b = 0; b < batches; b++) {
      await options.checkpoint?.();
      for (let k = b; k <= b + ahead; k++) start(k);
      const x = await (pending.get(b) as Promise<Float32Array>);
      pending.delete(b);
      const [from, to] = range(b);
      // The batch was made for this run: its buffer moves to the engine's thread, no copy.
      const y = await engine.run(x, to - from, { transfer: true });
      await options.output(from, to, y);
    }
  } finally {
    // Decodes already queued finish on their own; their results are dropped.
    pending.clear();
  }
}

/** Global average pooling of NHWC rows: [n, H, W, C] → [n, C], what tf.mean(x, [1, 2]) gives. */
export function globalAveragePool(y: Float32Array, count: number, shape: readonly number[]): Float32Array {
  const channels = shape[shape.length - 1] as number;
  // From the data, not the shape: a model that takes any picture size has unknown spatial dims.
  const cells = y.length / count / channels;
  const out = new Float32Array(count * channels);
  const sums = new Float64Array(channels);
  for (let n = 0; n < count; n++) {
    sums.fill(0);
    const base = n * cells * channels;
    for (let cell = 0; cell < cells; cell++) {
      const row = base + cell * channels;
      for (let c = 0; c < channels; c++) sums[c]! += y[row + c] as number;
    }
    for (let c = 0; c < channels; c++) out[n * channels + c] = (sums[c] as number) / cells;
  }
  return out;
}
