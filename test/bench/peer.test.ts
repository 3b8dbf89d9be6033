import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PEER_PYTHON, peerEnv, runPeer } from '../../bench/lib/peer';

const SCRIPT = resolve(__dirname, '../../bench/peer/torch_peer.py');
const IMAGES = resolve(__dirname, '../../../shared/data/cats_and_dogs_filtered/validation');

function torchMissing(): string | null {
  if (!existsSync(PEER_PYTHON)) return `${PEER_PYTHON} not found`;
  const probe = spawnSync(PEER_PYTHON, ['-c', 'import torch, torchvision'], { env: peerEnv(), timeout: 60_000 });
  return probe.status === 0
    ? null
    : 'python3-torch is not installed (apt-get install -y python3-torch python3-torchvision libopenblas0-pthread)';
}
const missing = torchMissing();

describe('PyTorch peer', () => {
  it('removes the OpenBLAS overrides for the peer only', () => {
    const base = { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512', PATH: '/usr/bin' };
    const env = peerEnv(base);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(env.PATH).toBe('/usr/bin');
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell');
  });

  it.skipIf(missing !== null)(`runs the same networks on a tiny input${missing ? ` — skipped: ${missing}` : ''}`, async () => {
    const outcome = await runPeer({ script: SCRIPT, tiny: true, imagesDir: existsSync(IMAGES) ? IMAGES : undefined, timeoutMs: 120_000 });
    if (!outcome.ok) throw new Error(outcome.reason);
    const r = outcome.result;
    expect(r.threads).toBeGreaterThanOrEqual(1);
    for (const key of ['scratchStepSeconds', 'forwardImagesPerSecond', 'headEpochSeconds', 'finetuneStepSeconds'] as const) {
      expect(r[key], key).toBeGreaterThan(0);
      expect(Number.isFinite(r[key]), key).toBe(true);
    }
    if (existsSync(IMAGES)) expect(r.forwardDecodeImagesPerSecond).toBeGreaterThan(0);
    // The OpenBLAS overrides never reach the peer.
    expect((r as unknown as { openblasEnv: Record<string, unknown> }).openblasEnv).toEqual({
      OPENBLAS_CORETYPE: null,
      OPENBLAS_L2_SIZE: null,
    });
  });

  it.skipIf(missing !== null)(`fails with one clear line on bad arguments${missing ? ` — skipped: ${missing}` : ''}`, () => {
    const run = spawnSync(PEER_PYTHON, [SCRIPT, '--batch', 'x'], { env: peerEnv(), encoding: 'utf8', cwd: join(__dirname) });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--batch: invalid int value/);
  });
});
