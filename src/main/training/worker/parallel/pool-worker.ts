import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { loadBackbone, type LoadedBackbone } from '../../backbones/backbones';
import { inputBatch, trainingAugmentParams } from '../image-batches';
import { useWasmBackend } from '../wasm-gradients';
import { shareGradients, toBuffer } from './gradient-share';
import type { ExtractRequest, FromWorker, PoolLoss, ToWorker } from './pool-protocol';

/**
 * One wasm backend per worker thread (wasm threads are off under Node), so each core gets its own.
 * Images of a chunk are decoded as soon as the chunk arrives; sharp decodes on libuv threads while
 * this thread computes the previous chunk.
 */
const port = parentPort;
if (!port) throw new Error('pool-worker must run in a worker thread');

let backbone: LoadedBackbone | null = null;
let training: { model: tf.LayersModel; loss: PoolLoss } | null = null;
let queue: Promise<void> = Promise.resolve();

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function decode(job: ExtractRequest, spec: LoadedBackbone['spec']): Promise<tf.Tensor4D[]> {
  // Plain and augmented requests go through separately: only the latter take the augmentation op.
  const params = job.augment ? trainingAugmentParams(job.augment.params) : null;
  const plain = job.requests.filter((r) => r.variant === null);
  const augmented = job.requests.filter((r) => r.variant !== null);
  const parts: Promise<tf.Tensor4D>[] = [];
  if (plain.length)
    parts.push(
      inputBatch(
        plain.map((r) => r.item),
        spec.preprocessing,
        null,
      ),
    );
  if (augmented.length) {
    parts.push(
      inputBatch(
        augmented.map((r) => r.item),
        spec.preprocessing,
        params && job.augment ? { params, seed: job.augment.seed, variant: augmented.map((r) => r.variant ?? 0) } : null,
      ),
    );
  }
  return Promise.all(parts);
}

function features(inputs: tf.Tensor4D[], job: ExtractRequest, features: tf.LayersModel): { data: Float32Array; dim: number } {
  const pooled = tf.tidy(() => tf.concat(inputs.map((x) => tf.mean(features.predict(x) as tf.Tensor4D, [1, 2]))) as tf.Tensor2D);
  const dim = pooled.shape[1];
  const byOrder = pooled.dataSync() as Float32Array;
  pooled.dispose();
  // Rows back in request order (plain ones were computed first).
  const order = [...job.requests.keys()].sort(
    (a, b) => Number(job.requests[a]!.variant !== null) - Number(job.requests[b]!.variant !== null),
  );
  const data = new Float32Array(job.requests.length * dim);
  order.forEach((requestIndex, row) => data.set(byOrder.subarray(row * dim, (row + 1) * dim), requestIndex * dim));
  return { data, dim };
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'loadBackbone': {
      backbone?.dispose();
      backbone = await loadBackbone(message.spec);
      send({ id: message.id, type: 'done' });
      return;
    }
    case 'extract': {
      if (!backbone) throw new Error('no backbone loaded in the pool worker');
      const current = backbone;
      const decoding = decode(message.job, current.spec);
      // Compute strictly in arrival order; decoding of later chunks runs meanwhile.
      const previous = queue;
      queue = (async () => {
        await previous.catch(() => undefined);
        const inputs = await decoding;
        try {
          const { data, dim } = features(inputs, message.job, current.features);
          send({ id: message.id, type: 'features', features: data.buffer as ArrayBuffer, dim }, [data.buffer as ArrayBuffer]);
        } finally {
          tf.dispose(inputs);
        }
      })();
      await queue;
      return;
    }
    case 'loadTrainingModel': {
      training?.model.dispose();
      const model = await tf.models.modelFromJSON(JSON.parse(message.topology) as tf.io.ModelJSON['modelTopology'] as never);
      const all = message.weights.map((b, k) => tf.tensor(new Float32Array(b), message.shapes[k]));
      model.setWeights(all);
      tf.dispose(all);
      training = { model, loss: message.loss };
      send({ id: message.id, type: 'done' });
      return;
    }
    case 'gradients': {
      if (!training) throw new Error('no training model loaded in the pool worker');
      const { model, loss } = training;
      setTrainable(model, message.weights);
      const x = tf.tensor(new Float32Array(message.x), message.xShape);
      const y = tf.tensor(new Float32Array(message.y), message.yShape);
      try {
        const share = shareGradients(model, x, y, loss, message.dropoutSeed);
        const grads = share.grads.map(toBuffer);
        tf.dispose(share.grads);
        send({ id: message.id, type: 'gradients', loss: share.loss, grads }, grads);
      } finally {
        tf.dispose([x, y]);
      }
      return;
    }
    case 'predict': {
      if (!training) throw new Error('no training model loaded in the pool worker');
      setTrainable(training.model, message.weights);
      const x = tf.tensor(new Float32Array(message.x), message.xShape);
      try {
        const out = tf.tidy(() => training!.model.predict(x) as tf.Tensor);
        const outputs = toBuffer(out);
        out.dispose();
        send({ id: message.id, type: 'outputs', outputs }, [outputs]);
      } finally {
        x.dispose();
      }
      return;
    }
    case 'memory':
      send({ id: message.id, type: 'memory', numTensors: tf.memory().numTensors });
      return;
  }
}

function setTrainable(model: tf.LayersModel, buffers: ArrayBuffer[]): void {
  const weights = model.trainableWeights;
  if (buffers.length !== weights.length)
    throw new Error(`pool worker: ${buffers.length} weight arrays for ${weights.length} trainable weights`);
  weights.forEach((w, k) => {
    const value = tf.tensor(new Float32Array(buffers[k]!), w.shape as number[]);
    w.write(value);
    value.dispose();
  });
}

const started = useWasmBackend();
port.on('message', (message: ToWorker) => {
  started
    .then(() => handle(message))
    .catch((error: unknown) => send({ id: message.id, type: 'error', message: error instanceof Error ? error.message : String(error) }));
});
started.then(
  () => send({ id: 0, type: 'ready' }),
  (error: unknown) => send({ id: 0, type: 'error', message: `wasm backend failed in pool worker: ${String(error)}` }),
);
