import type { FigureBook } from './figures';
import type { Lds } from './lds';
import type { PeerResult } from './peer';
import type { BackendInfo, BeforeAfter, BenchSettings, Curve } from './result';

export interface BenchContext {
  root: string;
  cliPath: string;
  dataset: string;
  /** Scratch space outside the repository (workspaces, image subsets); removed at the end. */
  work: string;
  /** Compiled helper modules that other parts of the project keep under bench/ (bench/.work/dist). */
  distDir: string;
  settings: BenchSettings;
  book: FigureBook;
  verbose: boolean;
  notes: string[];
  curves: Curve[];
  beforeAfter: BeforeAfter[];
  backend: BackendInfo | null;
  peer: PeerResult | null;
  /** The main workspace with the whole dataset imported (null until the import stage succeeds). */
  lds: Lds | null;
  /** Training-split size (from `lds status`), for steps per epoch. */
  trainImages: number;
  /** The same for the scratch run's workspace (a subset in quick runs). */
  scratchTrainImages: number | null;
  finetuneTrainImages: number | null;
  /** Training images of the forward stage's workspaces (a subset in quick runs). */
  forwardTrainImages?: number;
  runs: Partial<Record<'scratch' | 'bottleneck' | 'finetune' | 'auto', string>>;
  log(line: string): void;
}

export const QUICK: BenchSettings = {
  name: 'quick',
  scratchEpochs: 1,
  bottleneckEpochs: 10,
  finetuneEpochs: 1,
  cpuBackendImages: 40,
  scratchImages: 640,
  v1Images: 400,
  finetuneImages: 480,
  thumbFirstScreen: 60,
  augmentVariants: 9,
  peerRepeats: 5,
};

export const FULL: BenchSettings = {
  name: 'full',
  scratchEpochs: 50,
  bottleneckEpochs: 30,
  finetuneEpochs: 10,
  cpuBackendImages: 200,
  scratchImages: null,
  v1Images: null,
  finetuneImages: null,
  thumbFirstScreen: 60,
  augmentVariants: 9,
  peerRepeats: 20,
};
