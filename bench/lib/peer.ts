import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { failureReason, parseLastJson, runCommand } from './proc';

export const PEER_PYTHON = '/usr/bin/python3';
/** OpenBLAS variables that make PyTorch pick slow kernels here; removed for the peer's command only. */
export const OPENBLAS_VARS_UNSET = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

export interface PeerResult {
  torch: string;
  torchvision: string;
  python: string;
  threads: number;
  blas: string | null;
  batch: number;
  scratchStepSeconds: number;
  scratchStepSecondsMin?: number;
  forwardImagesPerSecond: number;
  forwardImagesPerSecondBest?: number;
  forwardDecodeImagesPerSecond?: number;
  headEpochSeconds: number;
  headEpochSecondsMin?: number;
  headSamples: number;
  finetuneStepSeconds: number;
  finetuneStepSecondsMin?: number;
  seconds: number;
}

/**
 * result: the peer at the same thread count as ours (one per core). single: the same at one thread —
 * on a shared machine OpenMP's spinning threads can make PyTorch several times slower at two threads
 * than at one, and a ratio against that alone would flatter us.
 */
export type PeerOutcome = { ok: true; result: PeerResult; single?: PeerResult | null } | { ok: false; reason: string };

export function peerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const name of OPENBLAS_VARS_UNSET) delete env[name];
  return env;
}

/** Whether Debian's PyTorch is importable; null when it is, otherwise why not. */
export async function peerMissingReason(): Promise<string | null> {
  if (!existsSync(PEER_PYTHON)) return `${PEER_PYTHON} not found`;
  const probe = await runCommand(PEER_PYTHON, ['-c', 'import torch, torchvision'], { env: peerEnv(), timeoutMs: 60_000 });
  if (probe.code !== 0) {
    return 'PyTorch is not installed (apt-get install -y python3-torch python3-torchvision libopenblas0-pthread)';
  }
  return null;
}

export interface PeerOptions {
  script: string;
  imagesDir?: string;
  repeats?: number;
  tiny?: boolean;
  headHidden?: number;
  threads?: number;
  /** Also run at one thread (when the machine has more than one core). */
  alsoSingleThread?: boolean;
  timeoutMs?: number;
}

export async function runPeer(options: PeerOptions): Promise<PeerOutcome> {
  const missing = await peerMissingReason();
  if (missing) return { ok: false, reason: missing };
  const threads = options.threads ?? cpus().length;
  const main = await runPeerOnce(options, threads);
  if (!main.ok) return main;
  if (!options.alsoSingleThread || threads <= 1) return main;
  const single = await runPeerOnce(options, 1);
  return { ok: true, result: main.result, single: single.ok ? single.result : null };
}

async function runPeerOnce(
  options: PeerOptions,
  threads: number,
): Promise<{ ok: true; result: PeerResult } | { ok: false; reason: string }> {
  const args = [options.script, '--threads', String(threads)];
  if (options.imagesDir) args.push('--images', options.imagesDir);
  if (options.repeats) args.push('--repeats', String(options.repeats));
  if (options.headHidden) args.push('--head-hidden', String(options.headHidden));
  if (options.tiny) args.push('--tiny');
  const run = await runCommand(PEER_PYTHON, args, { env: peerEnv(), timeoutMs: options.timeoutMs ?? 600_000 });
  const failure = failureReason(run, 'torch_peer.py');
  if (failure) return { ok: false, reason: failure };
  const json = parseLastJson(run.stdout) as unknown as PeerResult;
  return { ok: true, result: { ...json, seconds: run.seconds } };
}
