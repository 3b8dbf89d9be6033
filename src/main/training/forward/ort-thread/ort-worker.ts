import { createRequire } from 'node:module';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import type { FromOrtThread, ToOrtThread } from './protocol';
import { runSession, type IoNames } from './run-session';

/**
 * One ONNX Runtime session on its own thread. Its run() blocks the thread it is called on: here it
 * blocks this one, so the training process's event loop keeps decoding, augmenting and queueing the
 * next batches while a batch runs.
 */
if (!parentPort) throw new Error('ort-worker runs as a worker thread');
const port: MessagePort = parentPort;
const post = (message: FromOrtThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const firstLine = (error: unknown): string => ((error as Error)?.message ?? String(error)).split('\n')[0] ?? 'error';

let ort: typeof Ort | null = null;
let session: Ort.InferenceSession | null = null;
let names: IoNames | null = null;

// One message at a time: a release must not free the session under a run still waiting for its turn.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToOrtThread) => {
  queue = queue.then(() => handle(message));
});

async function handle(message: ToOrtThread): Promise<void> {
  if (message.type === 'open') {
    try {
      // Required, not imported: a binding that cannot load is an answer, not a dead thread.
      ort ??= createRequire(__filename)('onnxruntime-node') as typeof Ort;
      session = await ort.InferenceSession.create(message.onnx, message.options as Ort.InferenceSession.SessionOptions);
      names = message.names;
      post({ type: 'opened' });
    } catch (error) {
      post({ type: 'open-failed', message: firstLine(error) });
    }
  } else if (message.type === 'run') {
    try {
      if (!ort || !session || !names) throw new Error('run before open');
      const data = await runSession(ort, session, names, message.input, message.dims);
      post(
        { type: 'output', id: message.id, data },
        data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? [data.buffer as ArrayBuffer] : [],
      );
    } catch (error) {
      post({ type: 'run-failed', id: message.id, message: firstLine(error) });
    }
  } else {
    try {
      await session?.release();
    } finally {
      session = null;
      post({ type: 'released' });
      port.close();
    }
  }
}
