/**
 * The training process entry (out/main/training-worker.js): child_process.fork under Node,
 * utilityProcess in Electron. It trains, and runs the TensorFlow.js work on finished models (predict,
 * k-fold, export: compute-jobs.ts). It never opens the catalogue: main sends a manifest with everything.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backends';
import { runBottleneck } from './modes/bottleneck';
import { runFinetune } from './modes/finetune';
import { type ModeResult, type RunContext } from './modes/run-context';
import { runScratch } from './modes/scratch';
import { runComputeJob } from './compute-jobs';
import { createForward } from '../forward';
import { forwardDoctor } from '../forward/forward-doctor';
import {
  fromWorkerSchema,
  toWorkerSchema,
  type ComputeMessage,
  type DoctorMessage,
  type FromWorker,
  type StartMessage,
} from '../protocol/worker-protocol';
import { installWasmGradients } from './wasm-gradients';

export class RunCancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** The channel to main: process.send under fork, parentPort under Electron's utilityProcess. */
export interface ParentChannel {
  send(message: FromWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when main is gone (crash, kill -9): nobody is left to record a result. */
  onGone(listener: () => void): void;
  exit(code: number): void;
}

function nodeChannel(): ParentChannel | null {
  if (!process.send) return null;
  let gone: (() => void) | null = null;
  let wentAway = false;
  const parentGone = (): void => {
    if (wentAway) return;
    wentAway = true;
    gone?.();
  };
  // A send to a dead parent fails with EPIPE before 'disconnect' arrives; without the callback that
  // failure is an uncaught 'error' event and a stack trace on the user's terminal.
  process.on('disconnect', parentGone);
  return {
    send: (message) => {
      if (!process.connected) return parentGone();
      process.send?.(message, undefined, undefined, (error: Error | null) => {
        if (error) parentGone();
      });
    },
    onMessage: (listener) => process.on('message', listener),
    onGone: (listener) => {
      gone = listener;
    },
    exit: (code) => process.exit(code),
  };
}

function electronChannel(): ParentChannel | null {
  const parentPort = (
    process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }
  ).parentPort;
  if (!parentPort) return null;
  return {
    send: (message) => parentPort.postMessage(message),
    onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    // Electron ends a utility process together with the app that started it.
    onGone: () => undefined,
    exit: (code) => process.exit(code),
  };
}

export function startWorker(channel: ParentChannel): void {
  let cancelled = false;
  let stopRequested = false;
  let busy = false;
  let partialDir: string | null = null;
  const send = (message: FromWorker): void => channel.send(fromWorkerSchema.parse(message));
  let peakRss = 0;
  const sampleRss = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  channel.onMessage((raw) => {
    const parsed = toWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      send({ type: 'error', message: `training process: bad message from main: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      return;
    }
    const message = parsed.data;
    if (message.type === 'cancel') {
      cancelled = true;
      return;
    }
    if (message.type === 'stop') {
      stopRequested = true;
      return;
    }
    if (busy) {
      send({ type: 'error', message: 'training process: already running' });
      return;
    }
    busy = true;
    const job = message.type === 'doctor' ? doctor(message) : message.type === 'start' ? train(message) : compute(message);
    job.then(
      // Compute results can be large: give the IPC queue time to flush them before leaving.
      () => (message.type === 'start' || message.type === 'doctor' ? channel.exit(0) : setTimeout(() => channel.exit(0), 200)),
      (error: unknown) => {
        if (error instanceof RunCancelledError) send({ type: 'cancelled' });
        else send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        // Let the IPC queue flush before leaving.
        setTimeout(() => channel.exit(error instanceof RunCancelledError ? 0 : 1), 50);
      },
    );
  });

  async function doctor(message: DoctorMessage): Promise<void> {
    const report = await selectBackend({ force: message.backend, onWasmReady: installWasmGradients });
    const forward = await forwardDoctor({
      device: message.device ?? null,
      backbone: message.backbone ?? null,
      featuresDir: message.featuresDir ?? null,
    });
    send({ type: 'backend', report, forward });
    await new Promise((r) => setTimeout(r, 20));
  }

  const checkpoint = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (cancelled) throw new RunCancelledError();
  };

  async function compute(message: ComputeMessage): Promise<void> {
    let lastProgress = 0;
    const forward = createForward({
      deviceName: 'device' in message ? (message.device ?? null) : null,
      featuresDir: 'featuresDir' in message ? message.featuresDir : null,
    });
    const result = await runComputeJob(message, {
      forward,
      progress: (done, total, text) => {
        const now = performance.now();
        if (done < total && done > 0 && now - lastProgress < 100) return;
        lastProgress = now;
        send({ type: 'job-progress', done, total, message: text });
      },
      checkpoint,
    });
    if (cancelled) throw new RunCancelledError();
    send(result);
  }

  async function train(start: StartMessage): Promise<void> {
    const report = await selectBackend({ force: start.backend, onWasmReady: installWasmGradients });
    send({ type: 'backend', report });
    const partial = `${start.outDir}.partial`;
    partialDir = partial;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    let lastProgress = 0;
    const ctx: RunContext = {
      start,
      modelDir: partial,
      send,
      progress: (phase, done, total, text, etaSeconds = null) => {
        // Main throttles again for the UI; this keeps the pipe quiet when batches take milliseconds.
        const now = performance.now();
        if (done < total && done > 0 && now - lastProgress < 100) return;
        lastProgress = now;
        sampleRss();
        send({
          type: 'progress',
          phase,
          done,
          total,
          etaSeconds: etaSeconds !== null && Number.isFinite(etaSeconds) ? etaSeconds : null,
          message: text,
        });
      },
      epoch: (m) => {
        sampleRss();
        send({ type: 'epoch', ...m });
      },
      checkpoint,
      stopRequested: () => stopRequested,
      forward: createForward({
        deviceName: start.device ?? null,
        featuresDir: start.featuresDir,
        onNote: (note) => send({ type: 'log', level: 'info', message: note }),
      }),
    };
    let result: ModeResult;
    try {
      const before = tf.memory().numTensors;
      result = await (start.mode === 'scratch' ? runScratch(ctx) : start.mode === 'bottleneck' ? runBottleneck(ctx) : runFinetune(ctx));
      if (cancelled) throw new RunCancelledError();
      // The model appears all at once: a crash before this line leaves only the .partial folder.
      rmSync(start.outDir, { recursive: true, force: true });
      renameSync(partial, start.outDir);
      sampleRss();
      const maxRss = process.resourceUsage().maxRSS * 1024;
      const forward = ctx.forward.reports.map((r) => ({ engine: r.engine, provider: r.provider, reason: r.reason }));
      send({
        type: 'done',
        summary: {
          ...result,
          peakRssBytes: Math.max(peakRss, maxRss),
          numTensors: tf.memory().numTensors - before,
          forward,
          notes: [...ctx.forward.notes],
        },
      });
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
  }

  // When main goes away, so does training, quietly: the half-written model goes with it (the next
  // command that opens the workspace records the run as interrupted).
  channel.onGone(() => {
    if (partialDir) rmSync(partialDir, { recursive: true, force: true });
    channel.exit(1);
  });

  send({ type: 'ready', pid: process.pid });
}

const channel = electronChannel() ?? nodeChannel();
if (channel) startWorker(channel);
