import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { defaultConverter, type ConvertResult, type LayersModelConverter } from './converter';
import {
  fallBackToCpu,
  selectExecutionProvider,
  type DeviceChoice,
  type ExecutionProviderName,
  type ProviderChoice,
} from './execution-provider';
import { modelContentKey, OnnxCache, type OnnxMeta } from './onnx-cache';
import { loadOrtRuntime, probeProviders } from './ort-probe';
import { OrtThreadSession } from './ort-thread/ort-thread';
import type { OrtThreadOptions } from './ort-thread/protocol';
import { runSession, type IoNames } from './ort-thread/run-session';

/**
 * The backbone's forward pass, on ONNX Runtime where the model converts and TF.js otherwise. Every
 * inference caller (bottleneck features, fine-tune activations, evaluation, prediction, k-fold) opens
 * one for the layers it needs and feeds it preprocessed NHWC float32 batches; the answer is what
 * TF.js's predict would give, within 1e-4. A model that does not convert, or whose graph does not
 * match TF.js on a check input, runs on TF.js and the reason says which layer and why.
 */
export interface ForwardEngine {
  readonly engine: 'onnxruntime' | 'tfjs';
  /** The execution provider when ONNX Runtime runs. */
  readonly provider: ExecutionProviderName | null;
  /** Why this engine and provider, for doctor and the run's notes. */
  readonly reason: string;
  /** [H, W, C] of one input. */
  readonly inputShape: number[];
  /** Shape of one output row, e.g. [7, 7, 1280]. */
  readonly outputShape: number[];
  /**
   * The output rows for `count` inputs. With `transfer`, the caller gives the input away: its buffer
   * may move to ONNX Runtime's thread (detached here) instead of being copied.
   */
  run(input: Float32Array, count: number, options?: RunOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface RunOptions {
  transfer?: boolean;
}

export interface ForwardSettings {
  device: DeviceChoice;
  /** Where converted graphs are cached. */
  cacheDir: string;
  /** Injected by tests; the real converter (./convert) otherwise. */
  converter?: LayersModelConverter;
  /** Part of the cache key: a fixed converter must not reuse graphs an older one wrote. */
  converterVersion?: string;
  /** Intra-op threads (default: one per core). */
  threads?: number;
  /** 'tfjs' skips ONNX Runtime (LDS_FORWARD=tfjs; the bench's TF.js figures). */
  engine?: 'auto' | 'tfjs';
}

/** The relative error above which a converted graph is refused: far above float rounding, far below a wrong layer. */
export const CHECK_TOLERANCE = 1e-3;

/** Batch of the conversion check: small, so VGG16 on TF.js does not turn opening into a wait. */
const CHECK_BATCH = 2;

/** The layers a caller needs: the model cut at outputLayer's output (the whole model for null). */
export function cutModel(model: tf.LayersModel, outputLayer: string | null): tf.LayersModel {
  if (!outputLayer) return model;
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(outputLayer).output as tf.SymbolicTensor });
}

function shapeOf(symbolic: tf.SymbolicTensor | tf.SymbolicTensor[]): number[] {
  const t = Array.isArray(symbolic) ? symbolic[0] : symbolic;
  return (t?.shape ?? []).slice(1).map((d) => d ?? -1);
}

/**
 * [count, H, W, C] for a batch: a model built for any picture size (spatial dims unknown) takes the
 * batch's own, square as the preprocessing contract makes them.
 */
export function batchShape(input: Float32Array, count: number, inputShape: readonly number[]): [number, number, number, number] {
  const [h, w, c] = inputShape as [number, number, number];
  if (h > 0 && w > 0 && c > 0) return [count, h, w, c];
  const channels = c > 0 ? c : 3;
  const side = Math.round(Math.sqrt(input.length / count / channels));
  return [count, h > 0 ? h : side, w > 0 ? w : side, channels];
}

class TfjsForward implements ForwardEngine {
  readonly engine = 'tfjs' as const;
  readonly provider = null;
  readonly inputShape: number[];
  readonly outputShape: number[];

  constructor(
    private readonly model: tf.LayersModel,
    readonly reason: string,
  ) {
    this.inputShape = shapeOf(model.inputs);
    this.outputShape = shapeOf(model.outputs);
  }

  async run(input: Float32Array, count: number): Promise<Float32Array> {
    const y = tf.tidy(() => this.model.predict(tf.tensor4d(input, batchShape(input, count, this.inputShape))) as tf.Tensor);
    try {
      return (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
  }

  async dispose(): Promise<void> {
    // The cut model shares its layers with the caller's model, which the caller disposes.
  }
}

/** An ONNX Runtime session: on a thread of its own (the default), or on the calling thread. */
interface OrtSession {
  run(input: Float32Array, dims: number[], transfer: boolean): Promise<Float32Array>;
  release(): Promise<void>;
}

/** The session on the calling thread: where worker threads cannot start (LDS_ORT_THREAD=0 forces it). */
async function inThreadSession(ort: typeof Ort, onnx: Uint8Array, options: OrtThreadOptions, names: IoNames): Promise<OrtSession> {
  const session = await ort.InferenceSession.create(onnx, options as Ort.InferenceSession.SessionOptions);
  return {
    run: (input, dims) => runSession(ort, session, names, input, dims),
    release: () => session.release(),
  };
}

class OrtForward implements ForwardEngine {
  readonly engine = 'onnxruntime' as const;

  constructor(
    private readonly session: OrtSession,
    readonly provider: ExecutionProviderName,
    readonly reason: string,
    readonly inputShape: number[],
    readonly outputShape: number[],
  ) {}

  run(input: Float32Array, count: number, options: RunOptions = {}): Promise<Float32Array> {
    return this.session.run(input, batchShape(input, count, this.inputShape), options.transfer === true);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * A deterministic check input in [-1, 1] (the range most contracts give; caffe's wider range only
 * scales it); 224 px where the model takes any size.
 */
function checkInput(count: number, shape: number[]): Float32Array {
  const x = new Float32Array(count * shape.map((d, i) => (d > 0 ? d : i < 2 ? 224 : 3)).reduce((a, b) => a * b, 1));
  let s = 0x9e3779b9;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    x[i] = (s / 0xffffffff) * 2 - 1;
  }
  return x;
}

export function relativeMaxError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const d = Math.abs((actual[i] as number) - e);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    scale = Math.max(scale, Math.abs(e));
  }
  return diff / scale;
}

export interface ForwardChoiceReport {
  engine: 'onnxruntime' | 'tfjs';
  provider: ExecutionProviderName | null;
  reason: string;
  providers: ProviderChoice['providers'];
  onnxruntimeVersion: string | null;
  /** The converter's answer for this model: null when ONNX Runtime was not tried. */
  unsupported: { layer: string; className: string; reason: string } | null;
}

/**
 * Opens the forward pass of `model` up to `outputLayer`. Never throws for a model that TF.js can run:
 * whatever stops ONNX Runtime becomes the reason of a TF.js engine.
 */
export async function openForward(
  model: tf.LayersModel,
  outputLayer: string | null,
  settings: ForwardSettings,
  retry = true,
): Promise<{ engine: ForwardEngine; report: ForwardChoiceReport }> {
  const cut = cutModel(model, outputLayer);
  const fallback = (reason: string, extra: Partial<ForwardChoiceReport> = {}): { engine: ForwardEngine; report: ForwardChoiceReport } => ({
    engine: new TfjsForward(cut, reason),
    report: { engine: 'tfjs', provider: null, reason, providers: [], onnxruntimeVersion: null, unsupported: null, ...extra },
  });
  if (settings.engine === 'tfjs') return fallback('TF.js forced (LDS_FORWARD=tfjs)');
  if (cut.inputs.length !== 1 || cut.outputs.length !== 1 || cut.inputs[0]?.shape.length !== 4) {
    return fallback('TF.js: ONNX Runtime runs single-input image models only');
  }
  const loaded = loadOrtRuntime();
  if ('error' in loaded) return fallback(`TF.js: onnxruntime-node failed to load (${loaded.error})`);
  const { runtime, ort } = loaded;
  let choice = selectExecutionProvider({ platform: process.platform, probes: probeProviders(runtime), device: settings.device });
  const versionInfo = { onnxruntimeVersion: runtime.version, providers: choice.providers };

  const converter = settings.converter
    ? { convert: settings.converter, version: settings.converterVersion ?? 'injected' }
    : await defaultConverter();
  const cache = new OnnxCache(settings.cacheDir);
  const key = modelContentKey(cut, outputLayer, converter.version);
  const cached = cache.get(key);
  let fresh: { onnx: Uint8Array; meta: Omit<OnnxMeta, 'onnxSha256'> } | null = null;
  if (!cached) {
    let result: ConvertResult;
    try {
      result = converter.convert(model, { ...(outputLayer ? { outputLayer } : {}), batch: 'dynamic' });
    } catch (error) {
      result = { ok: false, layer: '', className: '', reason: `the converter failed: ${(error as Error).message}` };
    }
    if (!result.ok) {
      const where = result.layer ? `layer ${result.layer} (${result.className})` : 'the model';
      return fallback(`TF.js: ${where} does not convert to ONNX: ${result.reason}`, {
        ...versionInfo,
        unsupported: { layer: result.layer, className: result.className, reason: result.reason },
      });
    }
    fresh = {
      onnx: result.onnx,
      meta: {
        key,
        outputLayer,
        inputName: result.inputName,
        outputName: result.outputName,
        inputShape: result.inputShape,
        outputShape: result.outputShape,
        opset: result.opset,
        checkError: Number.NaN,
      },
    };
  }
  const graph = cached ?? (fresh as { onnx: Uint8Array; meta: Omit<OnnxMeta, 'onnxSha256'> });

  const names: IoNames = { inputName: graph.meta.inputName, outputName: graph.meta.outputName };
  const create = async (provider: ExecutionProviderName): Promise<OrtSession> => {
    const options: OrtThreadOptions = {
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      intraOpNumThreads: settings.threads ?? availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Spin-waiting threads take the cores the overlapped decodes need (and collapse on a busy
      // machine: 2-3x slower at load 15 here); LDS_ORT_SPIN=1 turns spinning back on for comparisons.
      extra: { session: { intra_op: { allow_spinning: process.env.LDS_ORT_SPIN === '1' ? '1' : '0' } } },
    };
    if (process.env.LDS_ORT_THREAD === '0') return inThreadSession(ort, graph.onnx, options, names);
    return OrtThreadSession.open(graph.onnx, options, names);
  };
  const refused = async (error: unknown): Promise<{ engine: ForwardEngine; report: ForwardChoiceReport }> => {
    // A damaged file in the cache (a disk error, a foreign writer) is converted again, once.
    if (cached && retry) {
      cache.remove(key);
      return openForward(model, outputLayer, settings, false);
    }
    return fallback(`TF.js: ONNX Runtime refused the converted graph (${(error as Error).message.split('\n')[0]})`, versionInfo);
  };
  let session: OrtSession;
  try {
    session = await create(choice.provider);
  } catch (error) {
    if (choice.provider === 'cpu') return refused(error);
    choice = fallBackToCpu(choice, (error as Error).message.split('\n')[0] ?? 'error');
    try {
      session = await create('cpu');
    } catch (cpuError) {
      return refused(cpuError);
    }
  }
  const inputShape = shapeOf(cut.inputs);
  const outputShape = shapeOf(cut.outputs);
  const engine = new OrtForward(
    session,
    choice.provider,
    `onnxruntime ${runtime.version} on ${choice.provider}: ${choice.reason}`,
    inputShape,
    outputShape,
  );
  if (fresh) {
    // A new graph earns its place in the cache by matching TF.js on a check input; a mismatch (a
    // converter bug) must never give wrong features, so TF.js runs instead and the reason says why.
    const x = checkInput(CHECK_BATCH, inputShape);
    let error: number;
    try {
      const [got, want] = [await engine.run(x, CHECK_BATCH), await new TfjsForward(cut, '').run(x, CHECK_BATCH)];
      error = relativeMaxError(got, want);
    } catch (runError) {
      await engine.dispose();
      return fallback(`TF.js: the converted graph failed to run (${(runError as Error).message.split('\n')[0]})`, versionInfo);
    }
    if (!(error <= CHECK_TOLERANCE)) {
      await engine.dispose();
      return fallback(
        `TF.js: the converted graph differs from TF.js (relative error ${error.toExponential(2)} > ${CHECK_TOLERANCE})`,
        versionInfo,
      );
    }
    fresh.meta.checkError = error;
    try {
      cache.put(fresh.meta, fresh.onnx);
    } catch {
      // A read-only or full disk costs a conversion next time, nothing else.
    }
  }
  return {
    engine,
    report: {
      engine: 'onnxruntime',
      provider: choice.provider,
      reason: engine.reason,
      providers: choice.providers,
      onnxruntimeVersion: runtime.version,
      unsupported: null,
    },
  };
}
