import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { holdOutValidation, plannedHoldoutNote } from '../../../../src/main/training/host/validation-holdout';
import type { DatasetManifest, ManifestItem } from '../../../../src/main/training/protocol/worker-protocol';
import { type CliResult, lastJson, runCliInWorkspace } from '../../cli/run-cli';
import { copyCatsDogs, tempDir } from '../fixtures';

/** A manifest of `counts[c]` train images per class, with fake but distinct hashes. */
function manifestOf(counts: number[], validation = 0): DatasetManifest {
  const items: ManifestItem[] = [];
  counts.forEach((n, label) => {
    for (let i = 0; i < n + validation; i++) {
      items.push({ path: `/x/${label}/${i}.jpg`, sha256: `${label}-${i}`.padEnd(64, '0'), label, split: i < n ? 'train' : 'validation' });
    }
  });
  return { classes: counts.map((_, c) => `class${c}`), items };
}

const heldOut = (m: DatasetManifest): string[] => m.items.filter((i) => i.split === 'validation').map((i) => i.sha256);

describe('holding out validation images when the catalogue has none', () => {
  it('takes 15% of each class (stratified), chosen by seed and content, and says so', () => {
    const { manifest, holdout } = holdOutValidation(manifestOf([100, 40, 7]), 0.15, 42);
    expect(holdout).toMatchObject({ fraction: 0.15, seed: 42, perClass: [15, 6, 1], images: 22 });
    expect(holdout?.message).toBe(
      'no validation images in the catalogue: holding out 15% of train (22 images, stratified by class, seed 42) to measure accuracy',
    );
    for (const [label, n] of [15, 6, 1].entries())
      expect(manifest.items.filter((i) => i.label === label && i.split === 'validation')).toHaveLength(n);
    expect(manifest.items).toHaveLength(147);

    // Same seed, same images, whatever the order of the catalogue; another seed, others.
    const shuffled = manifestOf([100, 40, 7]);
    shuffled.items.reverse();
    expect(heldOut(holdOutValidation(shuffled, 0.15, 42).manifest).sort()).toEqual(heldOut(manifest).sort());
    expect(heldOut(holdOutValidation(manifestOf([100, 40, 7]), 0.15, 7).manifest).sort()).not.toEqual(heldOut(manifest).sort());
  });

  it('never takes a class’s last image, and leaves a catalogue with validation images or fraction 0 alone', () => {
    expect(holdOutValidation(manifestOf([2, 1]), 0.15, 1).holdout?.perClass).toEqual([1, 0]);
    expect(holdOutValidation(manifestOf([1, 1]), 0.15, 1).holdout).toBeNull();
    const withValidation = manifestOf([20, 20], 3);
    expect(holdOutValidation(withValidation, 0.15, 1)).toEqual({ manifest: withValidation, holdout: null });
    expect(holdOutValidation(manifestOf([20, 20]), 0, 1).holdout).toBeNull();
    expect(plannedHoldoutNote(manifestOf([20, 20]))).toMatch(/each run holds out 15% of train \(6 images/);
    expect(plannedHoldoutNote(withValidation)).toBeNull();
  });
});

let tmp: ReturnType<typeof tempDir>;
const lds = (...argv: string[]): Promise<CliResult> => runCliInWorkspace(tmp.dir, argv);

beforeAll(() => {
  tmp = tempDir('holdout');
  copyCatsDogs(tmp.dir, 14, 0);
});
afterAll(() => tmp.cleanup());

interface ListedRun {
  id: string;
  mode: string;
  valAccuracy: number | null;
  epochs: Array<{ valAcc: number | null }>;
  config: {
    validationHoldout: { fraction: number; seed: number; images: number; perClass: number[] } | null;
    counts: Record<string, number>;
  };
}

async function listed(id: string): Promise<ListedRun> {
  const runs = lastJson((await lds('runs', '--json')).stdout).runs as ListedRun[];
  return runs.find((r) => r.id === id)!;
}

describe('a dataset whose images all sit under train/', () => {
  test('scratch, auto and fine-tune each hold out 15% of train, say so, and report accuracy on it', async () => {
    // Importing .../photos/train puts every image in train: no validation split at all.
    const imported = await lds('import', join(tmp.dir, 'photos', 'train'), '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const advice = await lds('status', '--json');
    expect(lastJson(advice.stdout).splits).toMatchObject({ train: 28 });

    const scratch = await lds(
      'train',
      '--mode',
      'scratch',
      '--epochs',
      '2',
      '--input-size',
      '32',
      '--batch',
      '8',
      '--augment',
      'none',
      '--json',
    );
    expect(scratch.code, scratch.stderr).toBe(0);
    expect(scratch.stderr).toMatch(
      /^note: no validation images in the catalogue: holding out 15% of train \(4 images, stratified by class, seed 42\) to measure accuracy$/m,
    );
    expect(scratch.stderr).toMatch(/^epoch 1: .* val_acc \d+\.\d%/m);
    const scratchOut = lastJson(scratch.stdout);
    expect(scratchOut.valAccuracy).toEqual(expect.any(Number));
    const scratchRun = await listed(scratchOut.runId as string);
    expect(scratchRun.config.validationHoldout).toMatchObject({ fraction: 0.15, seed: 42, images: 4, perClass: [2, 2] });
    expect(scratchRun.config.counts).toMatchObject({ train: 24, validation: 4 });
    expect(scratchRun.epochs.every((e) => typeof e.valAcc === 'number')).toBe(true);

    const auto = await lds('train', '--mode', 'auto', '--epochs', '2', '--seed', '5');
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toMatch(
      /^note: no validation images in the catalogue: holding out 15% of train \(4 images, stratified by class, seed 5\)/m,
    );
    expect(auto.stdout).toMatch(
      /validation accuracy \d\.\d{3} \(\d\.\d\d–\d\.\d\d, n=4\) \(on 4 images held out of train\) .*after 2 epochs/,
    );
    const autoId = /^run (\S+) \(bottleneck/m.exec(auto.stdout)?.[1];
    expect(autoId).toBeDefined();
    const autoRun = await listed(autoId!);
    expect(autoRun.valAccuracy).toEqual(expect.any(Number));
    expect(autoRun.config.validationHoldout).toMatchObject({ seed: 5, images: 4 });
    // Evaluating it on "validation" means its held-out images: the catalogue has none of its own.
    const evaluated = await lds('eval', autoId!, '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(lastJson(evaluated.stdout).accuracy).toEqual(expect.any(Number));
    expect((lastJson(evaluated.stdout).perClass as Array<{ support: number }>).map((c) => c.support)).toEqual([2, 2]);

    // The fine-tune validates on the images its parent held out (its own --seed notwithstanding).
    const tuned = await lds('train', '--mode', 'finetune', '--from', autoId!, '--epochs', '1', '--seed', '9', '--json');
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stderr).toMatch(/^note: .*holding out 15% of train \(4 images, stratified by class, seed 5\)/m);
    const tunedRun = await listed(lastJson(tuned.stdout).runId as string);
    expect(tunedRun.valAccuracy).toEqual(expect.any(Number));
    expect(tunedRun.config.validationHoldout).toEqual(autoRun.config.validationHoldout);

    // --holdout 0: trains without validation, as asked.
    const blind = await lds('train', '--mode', 'bottleneck', '--epochs', '1', '--holdout', '0', '--json');
    expect(blind.code, blind.stderr).toBe(0);
    expect(blind.stderr).not.toMatch(/holding out/);
    expect(lastJson(blind.stdout).valAccuracy).toBeNull();
    // Four trainings, one a fine-tune of MobileNet: minutes on a busy 2-core machine.
  }, 300_000);
});
