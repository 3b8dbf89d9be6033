import type { BackboneSpec } from '../../backbones/backbone-spec';
import type { ManifestItem } from '../../protocol/worker-protocol';

/** How a training model's loss is computed from its output and one-hot labels. */
export type PoolLoss = 'softmax-logits' | 'categorical-crossentropy';

export interface ExtractRequest {
  /** Images of one chunk; variant null = plain picture, k = augmented variant k (seeded). */
  requests: Array<{ item: ManifestItem; variant: number | null }>;
  augment: { params: Record<string, unknown> | null; seed: number } | null;
}

export type ToWorker =
  | { id: number; type: 'loadBackbone'; spec: BackboneSpec }
  | { id: number; type: 'extract'; job: ExtractRequest }
  | { id: number; type: 'loadTrainingModel'; topology: string; weights: ArrayBuffer[]; shapes: number[][]; loss: PoolLoss }
  | {
      id: number;
      type: 'gradients';
      weights: ArrayBuffer[];
      x: ArrayBuffer;
      xShape: number[];
      y: ArrayBuffer;
      yShape: number[];
      /** This share's dropout seed (a new mask every step and share). */
      dropoutSeed?: number;
    }
  | { id: number; type: 'predict'; weights: ArrayBuffer[]; x: ArrayBuffer; xShape: number[] }
  | { id: number; type: 'memory' };

export type FromWorker =
  | { id: number; type: 'ready' }
  | { id: number; type: 'done' }
  | { id: number; type: 'features'; features: ArrayBuffer; dim: number }
  | { id: number; type: 'gradients'; loss: number; grads: ArrayBuffer[] }
  | { id: number; type: 'outputs'; outputs: ArrayBuffer }
  | { id: number; type: 'memory'; numTensors: number }
  | { id: number; type: 'error'; message: string };
