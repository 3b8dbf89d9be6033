import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackboneSpec } from '../../backbones/backbone-spec';
import { shareGradients, toBuffer } from './gradient-share';
import type { ExtractRequest, FromWorker, PoolLoss, ToWorker } from './pool-protocol';
import { startPoolWorker } from './worker-entry';

export interface WasmPoolOptions {
  /** Worker threads, one wasm backend each; default: one per core. */
  threads?: number;
}

export interface ExtractOptions {
  /** Images per message; small enough that both workers stay busy to the end. */
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface WasmPool {
  readonly threads: number;
  /** Loads the backbone (cut at spec.featureLayer) in every worker. */
  loadBackbone(spec: BackboneSpec): Promise<void>;
  /** Global-average-pooled features, one row per request in request order: [requests.length * dim]. */
  extractFeatures(
    requests: ExtractRequest['requests'],
    augment: ExtractRequest['augment'],
    options?: ExtractOptions,
  ): Promise<{ features: Float32Array; dim: number }>;
  /** Sends the model (topology, all weights, trainable flags) to the workers that share gradient steps. */
  loadTrainingModel(model: tf.LayersModel, loss: PoolLoss): Promise<void>;
  /**
   * Data-parallel loss and gradients of one batch: this thread computes one share while the
   * workers compute the others from the current trainable weights; gradients are averaged by
   * share size, so they equal the full batch's. Apply them with optimizer.applyGradients.
   */
  /**
   * `dropoutSeeds(share)` gives each share's dropout seed (share 0 is this thread's): a seeded
   * Dropout layer otherwise draws the same mask every step.
   */
  gradientStep(
    model: tf.LayersModel,
    x: tf.Tensor,
    y: tf.Tensor,
    dropoutSeeds?: (share: number) => number,
  ): Promise<{ loss: number; grads: tf.NamedTensorMap }>;
  /**
   * Inference outputs of the training model for a batch, split like gradientStep (this thread plus
   * the workers, with the current trainable weights): [N, ...] rows in order. Only for models whose
   * state is all trainable (no batch-norm statistics), like the scratch CNN.
   */
  predict(model: tf.LayersModel, x: tf.Tensor): Promise<tf.Tensor>;
  /** Live tensors in each worker (for leak checks). */
  workerTensors(): Promise<number[]>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (message: FromWorker) => void;
  reject: (error: Error) => void;
}

class PoolWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  readonly ready: Promise<void>;
  private failure: Error | null = null;

  constructor(private readonly worker: Worker) {
    let signalReady!: () => void;
    let failReady!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      signalReady = resolve;
      failReady = reject;
    });
    worker.on('message', (message: FromWorker) => {
      if (message.id === 0) {
        if (message.type === 'ready') signalReady();
        else if (message.type === 'error') failReady(new Error(message.message));
        return;
      }
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.type === 'error') waiter.reject(new Error(`wasm pool worker: ${message.message}`));
      else waiter.resolve(message);
    });
    const fail = (error: Error): void => {
      this.failure = error;
      failReady(error);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`wasm pool worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(new Error(`wasm pool worker exited with code ${code}`)));
  }

  request<T extends FromWorker['type']>(
    message: DistributiveOmit<ToWorker, 'id'>,
    expect: T,
    transfer: ArrayBuffer[] = [],
  ): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          if (reply.type !== expect) reject(new Error(`wasm pool worker answered ${reply.type} to ${message.type}`));
          else resolve(reply as Extract<FromWorker, { type: T }>);
        },
        reject,
      });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Splits a batch into near-equal contiguous shares, one per thread: this thread keeps the first
 * `localSize` rows, and worker k gets rows [from, to) of `remoteRanges[k]`.
 */
function batchShares(batch: number, threads: number): { localSize: number; remoteRanges: Array<[number, number]> } {
  const shares = Math.min(threads, batch);
  const bounds = Array.from({ length: shares + 1 }, (_, k) => Math.round((k * batch) / shares));
  const remoteRanges = bounds.slice(1, -1).map((from, k): [number, number] => [from, bounds[k + 2]!]);
  return { localSize: bounds[1]!, remoteRanges };
}

function sliceToBuffer(t: tf.Tensor, begin: number, size: number): ArrayBuffer {
  const part = tf.slice(t, begin, size);
  const buffer = toBuffer(part);
  part.dispose();
  return buffer;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export async function createWasmPool(options: WasmPoolOptions = {}): Promise<WasmPool> {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const workers = Array.from({ length: threads }, () => new PoolWorker(startPoolWorker()));
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  // This thread takes one share of every gradient step, so threads - 1 workers join it.
  const trainers = workers.slice(0, threads - 1);
  let trainingLoss: PoolLoss | null = null;

  return {
    threads,

    async loadBackbone(spec) {
      await Promise.all(workers.map((w) => w.request({ type: 'loadBackbone', spec }, 'done')));
    },

    async extractFeatures(requests, augment, extractOptions = {}) {
      const chunkSize = extractOptions.chunkSize ?? 16;
      const chunks: number[][] = [];
      for (let i = 0; i < requests.length; i += chunkSize) chunks.push([...requests.keys()].slice(i, i + chunkSize));
      let out: Float32Array | null = null;
      let dim = 0;
      let done = 0;
      let next = 0;
      let failed = false;
      // Two chunks in flight per worker: the second decodes while the first computes.
      const feed = async (worker: PoolWorker): Promise<void> => {
        while (next < chunks.length && !failed) {
          extractOptions.signal?.throwIfAborted();
          const indices = chunks[next++]!;
          const job: ExtractRequest = { requests: indices.map((i) => requests[i]!), augment };
          const reply = await worker.request({ type: 'extract', job }, 'features');
          dim = reply.dim;
          out ??= new Float32Array(requests.length * dim);
          const rows = new Float32Array(reply.features);
          indices.forEach((requestIndex, row) => out!.set(rows.subarray(row * dim, (row + 1) * dim), requestIndex * dim));
          done += indices.length;
          extractOptions.onProgress?.(done, requests.length);
        }
      };
      const stopOnError = (error: unknown): never => {
        failed = true;
        throw error;
      };
      await Promise.all(workers.flatMap((w) => [feed(w).catch(stopOnError), feed(w).catch(stopOnError)]));
      return { features: out ?? new Float32Array(0), dim };
    },

    async loadTrainingModel(model, loss) {
      trainingLoss = loss;
      if (!trainers.length) return;
      const topology = JSON.stringify(model.toJSON(null, false));
      const values = model.getWeights();
      const shapes = values.map((v) => [...v.shape]);
      await Promise.all(
        trainers.map((w) => {
          const weights = values.map(toBuffer);
          return w.request({ type: 'loadTrainingModel', topology, weights, shapes, loss }, 'done', weights);
        }),
      );
    },

    async gradientStep(model, x, y, dropoutSeeds) {
      if (!trainingLoss) throw new Error('gradientStep before loadTrainingModel');
      const loss = trainingLoss;
      const batch = x.shape[0]!;
      const { localSize, remoteRanges } = batchShares(batch, threads);
      const current = model.trainableWeights.map((w) => w.read());
      const remote = remoteRanges.map(([from, to], k) => {
        const worker = trainers[k]!;
        const xs = sliceToBuffer(x, from, to - from);
        const ys = sliceToBuffer(y, from, to - from);
        const weights = current.map(toBuffer);
        const xShape = [to - from, ...x.shape.slice(1)];
        const yShape = [to - from, ...y.shape.slice(1)];
        return worker
          .request({ type: 'gradients', weights, x: xs, xShape, y: ys, yShape, dropoutSeed: dropoutSeeds?.(k + 1) }, 'gradients', [
            ...weights,
            xs,
            ys,
          ])
          .then((reply) => ({ ...reply, size: to - from }));
      });
      const local = tf.tidy(() => {
        const share = shareGradients(model, tf.slice(x, 0, localSize), tf.slice(y, 0, localSize), loss, dropoutSeeds?.(0));
        return { loss: share.loss, grads: share.grads.map((g) => tf.keep(g)) };
      });
      const replies = await Promise.all(remote);
      const names = model.trainableWeights.map((w) => w.name);
      const grads: tf.NamedTensorMap = {};
      tf.tidy(() => {
        names.forEach((name, k) => {
          let sum = tf.mul(local.grads[k]!, localSize / batch);
          for (const reply of replies) {
            const g = tf.tensor(new Float32Array(reply.grads[k]!), local.grads[k]!.shape);
            sum = tf.add(sum, tf.mul(g, reply.size / batch));
          }
          grads[name] = tf.keep(sum);
        });
      });
      tf.dispose(local.grads);
      const lossValue = (local.loss * localSize + replies.reduce((s, r) => s + r.loss * r.size, 0)) / batch;
      return { loss: lossValue, grads };
    },

    async predict(model, x) {
      if (!trainingLoss) throw new Error('predict before loadTrainingModel');
      const { localSize, remoteRanges } = batchShares(x.shape[0]!, threads);
      const current = model.trainableWeights.map((w) => w.read());
      const remote = remoteRanges.map(([from, to], k) => {
        const xs = sliceToBuffer(x, from, to - from);
        const weights = current.map(toBuffer);
        return trainers[k]!.request({ type: 'predict', weights, x: xs, xShape: [to - from, ...x.shape.slice(1)] }, 'outputs', [
          ...weights,
          xs,
        ]);
      });
      const local = tf.tidy(() => model.predict(tf.slice(x, 0, localSize)) as tf.Tensor);
      try {
        const replies = await Promise.all(remote);
        return tf.tidy(() => {
          const rowShape = local.shape.slice(1);
          const parts = replies.map((reply, k) => {
            const [from, to] = remoteRanges[k]!;
            return tf.tensor(new Float32Array(reply.outputs), [to - from, ...rowShape]);
          });
          return parts.length ? tf.concat([local, ...parts]) : local.clone();
        });
      } finally {
        local.dispose();
      }
    },

    async workerTensors() {
      const replies = await Promise.all(workers.map((w) => w.request({ type: 'memory' }, 'memory')));
      return replies.map((r) => r.numTensors);
    },

    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
