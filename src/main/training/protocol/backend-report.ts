/** Backend names in the order they are tried, fastest first. Pure types: safe for any process. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendCandidate {
  name: BackendName;
  package: string;
  /** active: in use; available: would load; unavailable: a known reason; failed: tried and threw; skipped: not tried. */
  state: 'active' | 'available' | 'unavailable' | 'failed' | 'skipped';
  reason: string | null;
  /** What a user runs to enable it. */
  enable: string;
}

export interface BackendReport {
  active: BackendName;
  tfjsBackend: string;
  tfjsVersion: string;
  threads: number;
  simd: boolean | null;
  forced: BackendName | null;
  candidates: BackendCandidate[];
  enableFaster: string | null;
}
