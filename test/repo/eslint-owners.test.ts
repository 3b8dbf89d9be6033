import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The restricted-import messages ESLint gives `code` as if it were the file at `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('one owner per native library, and the training rooms', () => {
  test('each native library is refused outside its owner', async () => {
    const code =
      "import Database from 'better-sqlite3';\nimport sharp from 'sharp';\nimport * as tf from '@tensorflow/tfjs';\nimport * as ort from 'onnxruntime-node';\nexport const all = [Database, sharp, tf, ort];\n";
    expect(await refusals('src/main/engine/probe.ts', code)).toHaveLength(4);
    expect((await refusals('src/main/catalogue/probe.ts', code)).join('\n')).not.toMatch(/better-sqlite3/);
    expect(await refusals('src/main/training/worker/probe.ts', code)).toHaveLength(2);
    expect((await refusals('src/main/augment/probe.ts', code)).join('\n')).toMatch(/onnxruntime-node/);
  });

  test('training/host imports neither tfjs nor the worker room; the worker may import protocol', async () => {
    const host = await refusals(
      'src/main/training/host/probe.ts',
      "import * as tf from '@tensorflow/tfjs';\nimport { selectBackend } from '../worker/backends';\nexport const x = [tf, selectBackend];\n",
    );
    expect(host).toHaveLength(2);
    expect(host[1]).toMatch(/protocol\/ messages/);
    expect(
      await refusals(
        'src/main/training/worker/probe.ts',
        "import { fromWorkerSchema } from '../protocol/worker-protocol';\nexport const x = fromWorkerSchema;\n",
      ),
    ).toEqual([]);
  });

  test('CLI commands reach the engine through the contract, not its services; native owners still hold there', async () => {
    const services =
      "import { Catalogue } from '../../catalogue';\nimport { runInTrainingProcess } from '../../training/host/compute-client';\nimport { argmax } from '../../evaluation/metrics';\nimport { probeImageFile } from '../../images';\nimport { scanFolders } from '../../import';\nexport const x = [Catalogue, runInTrainingProcess, argmax, probeImageFile, scanFolders];\n";
    const door = await refusals('src/main/cli/commands/probe.ts', services);
    expect(door).toHaveLength(5);
    expect(door[0]).toMatch(/contract commands/);
    expect(await refusals('src/main/engine/handlers/probe.ts', services)).toEqual([]);
    const allowed =
      "import type { ImportResult } from '../../import';\nimport { parseAugmentParams } from '../../augment/params';\nimport sharp from 'sharp';\nexport const x = [parseAugmentParams, sharp] as unknown as ImportResult;\n";
    expect(await refusals('src/main/cli/commands/probe.ts', allowed)).toEqual([
      expect.stringMatching(/Only src\/main\/images imports sharp/),
    ]);
  });
});
