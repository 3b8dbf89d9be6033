import type { Figure } from './figures';
import type { MachineInfo } from './machine';
import type { PeerOutcome } from './peer';

export interface EpochPoint {
  epoch: number;
  loss?: number | null;
  acc?: number | null;
  valLoss?: number | null;
  valAcc?: number | null;
  seconds?: number | null;
}

export interface Curve {
  /** e.g. "scratch (run 3)" */
  label: string;
  mode: string;
  epochs: EpochPoint[];
}

export interface Plot {
  /** Path relative to docs/. */
  file: string;
  title: string;
}

export interface BackendInfo {
  name: string | null;
  threads: number | null;
  simd: boolean | null;
  source: string;
}

export interface BenchSettings {
  name: 'quick' | 'full';
  scratchEpochs: number;
  bottleneckEpochs: number;
  finetuneEpochs: number;
  cpuBackendImages: number;
  /** null: the whole dataset; N: a copied subset of N images (quick runs). */
  scratchImages: number | null;
  v1Images: number | null;
  finetuneImages: number | null;
  thumbFirstScreen: number;
  augmentVariants: number;
  peerRepeats: number;
}

export interface BeforeAfter {
  label: string;
  before: string;
  after: string;
  source: string;
}

export interface BenchResult {
  settings: BenchSettings;
  dataset: string;
  startedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  versions: Record<string, string | null>;
  backend: BackendInfo | null;
  figures: Figure[];
  /** Wall time and 1-minute load average around each stage: how much the machine was shared. */
  stages: Array<{ stage: string; seconds: number; loadStart: number; loadEnd: number }>;
  peer: PeerOutcome;
  curves: Curve[];
  plots: Plot[];
  beforeAfter: BeforeAfter[];
  notes: string[];
}

/** Published reference figures on this exact split (design.md, shared/data/README.md). */
export interface Reference {
  method: string;
  source: string;
  accuracy: string;
  /** Which of our figures sits beside it. */
  oursFigure: string | null;
  oursLabel: string;
}

export const REFERENCES: Reference[] = [
  {
    method: 'Small CNN from scratch, augmentation, 50 epochs',
    source: 'Keras "very little data" blog',
    accuracy: '0.79–0.81 (~0.80)',
    oursFigure: 'scratch.valAcc',
    oursLabel: 'scratch, recipe CNN',
  },
  {
    method: 'VGG16 bottleneck features + small head',
    source: 'Keras "very little data" blog',
    accuracy: '~0.90–0.91',
    oursFigure: 'bottleneck.valAcc',
    oursLabel: 'bottleneck, MobileNetV2 0.35',
  },
  {
    method: 'VGG16 top block fine-tuned',
    source: 'Keras "very little data" blog',
    accuracy: '~0.94',
    oursFigure: 'finetune.valAcc',
    oursLabel: 'fine-tune, MobileNetV2 0.35',
  },
  {
    method: 'MobileNetV2 1.0 at 160 px, frozen base + head',
    source: 'TensorFlow transfer-learning tutorial',
    accuracy: '~0.95',
    oursFigure: 'bottleneck.valAcc',
    oursLabel: 'bottleneck, MobileNetV2 0.35 at 224',
  },
  {
    method: 'MobileNetV2 1.0 at 160 px, fine-tuned',
    source: 'TensorFlow transfer-learning tutorial',
    accuracy: '~0.98',
    oursFigure: 'finetune.valAcc',
    oursLabel: 'fine-tune, MobileNetV2 0.35 at 224',
  },
  {
    method: 'Nearest class centroid, MobileNetV2 0.35 pooled features (200 val/class)',
    source: 'shared/data/README.md',
    accuracy: '0.958',
    oursFigure: 'bottleneck.valAcc',
    oursLabel: 'bottleneck, trained head',
  },
];
