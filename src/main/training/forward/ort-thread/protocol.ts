import type { IoNames } from './run-session';

/** Session options that cross the thread boundary (plain data: ONNX Runtime's own option object). */
export interface OrtThreadOptions {
  executionProviders: string[];
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  extra?: Record<string, unknown>;
}

export type ToOrtThread =
  | { type: 'open'; onnx: Uint8Array; options: OrtThreadOptions; names: IoNames }
  | { type: 'run'; id: number; input: Float32Array; dims: number[] }
  | { type: 'release' };

export type FromOrtThread =
  | { type: 'opened' }
  | { type: 'open-failed'; message: string }
  | { type: 'output'; id: number; data: Float32Array }
  | { type: 'run-failed'; id: number; message: string }
  | { type: 'released' };
