import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../threads/start-worker';
import type { FromOrtThread, OrtThreadOptions, ToOrtThread } from './protocol';
import type { IoNames } from './run-session';

/** File name of the worker bundle electron-vite emits next to the main bundles (see electron.vite.config.ts). */
export const ORT_WORKER_BUNDLE = 'ort-worker.js';

/** What a thread that died says, while opening or afterwards. */
const threadFailed = (error: Error): Error => new Error(`onnxruntime thread failed: ${error.message}`);
const threadExited = (code: number): Error => new Error(`onnxruntime thread exited (code ${code})`);

/**
 * An ONNX Runtime session on a worker thread of its own. ONNX Runtime's run() holds the thread that
 * calls it for the whole batch; called from the training process's main thread it stopped the event
 * loop, so the decodes of the next batches could not be started nor their pixels preprocessed, and
 * augmentation (JavaScript) waited for inference instead of overlapping it.
 */
export class OrtThreadSession {
  private readonly pending = new Map<number, { resolve(data: Float32Array): void; reject(error: Error): void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private released: Promise<void> | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromOrtThread) => {
      if (message.type === 'output') this.settle(message.id)?.resolve(message.data);
      else if (message.type === 'run-failed') this.settle(message.id)?.reject(new Error(message.message));
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(threadFailed(error)));
    worker.on('exit', (code) => fail(threadExited(code)));
  }

  /** Starts the thread and opens the graph there; rejects with ONNX Runtime's message when it refuses. */
  static async open(onnx: Uint8Array, options: OrtThreadOptions, names: IoNames): Promise<OrtThreadSession> {
    const worker = startWorkerThread({ bundle: ORT_WORKER_BUNDLE, source: 'forward/ort-thread/ort-worker.ts' });
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (message: FromOrtThread): void => {
          if (message.type === 'opened') done(resolve);
          else if (message.type === 'open-failed') done(() => reject(new Error(message.message)));
        };
        const onError = (error: Error): void => done(() => reject(threadFailed(error)));
        const onExit = (code: number): void => done(() => reject(threadExited(code)));
        const done = (settle: () => void): void => {
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
          settle();
        };
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        // A copy goes over: the caller keeps its bytes (the graph cache writes them after the check).
        worker.postMessage({ type: 'open', onnx, options, names } satisfies ToOrtThread);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new OrtThreadSession(worker);
  }

  /**
   * The output for one batch. The input is copied to the thread, or with `transfer` (and where it
   * spans its whole buffer) its buffer moves there and is detached here.
   */
  run(input: Float32Array, dims: number[], transfer = false): Promise<Float32Array> {
    if (this.released) return Promise.reject(new Error('onnxruntime session already released'));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const whole =
        transfer && input.byteOffset === 0 && input.byteLength === input.buffer.byteLength && input.buffer instanceof ArrayBuffer;
      this.worker.postMessage({ type: 'run', id, input, dims } satisfies ToOrtThread, whole ? [input.buffer as ArrayBuffer] : []);
    });
  }

  /** Closes the session and ends the thread; waits for a batch in flight. */
  release(): Promise<void> {
    this.released ??= (async () => {
      if (!this.failure) {
        const closed = new Promise<void>((resolve) => {
          this.worker.on('message', (message: FromOrtThread) => message.type === 'released' && resolve());
          this.worker.once('exit', () => resolve());
        });
        this.worker.postMessage({ type: 'release' } satisfies ToOrtThread);
        await closed;
      }
      await this.worker.terminate();
    })();
    return this.released;
  }

  private settle(id: number): { resolve(data: Float32Array): void; reject(error: Error): void } | undefined {
    const waiter = this.pending.get(id);
    this.pending.delete(id);
    return waiter;
  }
}
