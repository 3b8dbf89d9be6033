import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { parseDevice, type DeviceChoice } from './execution-provider';
import { openForward, type ForwardChoiceReport, type ForwardEngine, type ForwardSettings } from './forward-engine';

/**
 * The training process's forward engines for one job: the device and cache every open shares, and
 * what each open chose, for the run's notes. One per job (worker.ts makes it), passed in the context.
 */
export interface Forward {
  readonly device: DeviceChoice;
  open(model: tf.LayersModel, outputLayer: string | null): Promise<ForwardEngine>;
  /** What each open chose, in order. */
  readonly reports: readonly ForwardChoiceReport[];
  /** One line per open, e.g. "forward pass (up to block_16_project_BN): onnxruntime 1.30.0 on cpu: …". */
  readonly notes: readonly string[];
}

/** Converted graphs live beside the feature cache (derivable, counted and cleared with it). */
export function forwardCacheDir(featuresDir: string | null): string {
  return featuresDir ? join(featuresDir, 'onnx') : join(tmpdir(), 'lds-onnx-cache');
}

export interface ForwardServiceOptions extends Partial<ForwardSettings> {
  /** --device, the setting, or LDS_DEVICE; null = auto. */
  deviceName?: string | null;
  featuresDir: string | null;
  onNote?(note: string): void;
}

export function createForward(options: ForwardServiceOptions): Forward {
  const device = parseDevice(options.deviceName ?? process.env.LDS_DEVICE ?? null);
  const settings: ForwardSettings = {
    ...options,
    device,
    cacheDir: options.cacheDir ?? forwardCacheDir(options.featuresDir),
    engine: options.engine ?? (process.env.LDS_FORWARD === 'tfjs' ? 'tfjs' : 'auto'),
  };
  const reports: ForwardChoiceReport[] = [];
  const notes: string[] = [];
  return {
    device,
    reports,
    notes,
    async open(model, outputLayer) {
      const { engine, report } = await openForward(model, outputLayer, settings);
      reports.push(report);
      const note = `forward pass${outputLayer ? ` up to ${outputLayer}` : ''}: ${report.reason}`;
      if (!notes.includes(note)) {
        notes.push(note);
        options.onNote?.(note);
      }
      return engine;
    },
  };
}
