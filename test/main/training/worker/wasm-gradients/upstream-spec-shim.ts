import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { expect as vitestExpect } from 'vitest';

/**
 * Just enough Jasmine to run the spec files tfjs-core ships (dist/ops/*_test.js) against one backend:
 * describe/it/beforeEach/afterEach, describeWithFlags (ALL_ENVS only), expect with the matchers those
 * files use (vitest's, which share Jasmine's semantics for them) and tfjs' own test_util.
 * Specs are collected first and run on demand, so one collection can run on stock and patched kernels.
 */

type Body = () => unknown;

export interface UpstreamSpec {
  /** "<file> > <describe path> > <it>", unique within a file. */
  name: string;
  run(): Promise<void>;
}

/** One describe block; hooks are read when a spec runs, so one declared after an it() still applies. */
interface Suite {
  name: string;
  parent: Suite | null;
  beforeEach: Body[];
  afterEach: Body[];
}

function chain(suite: Suite): Suite[] {
  return suite.parent ? [...chain(suite.parent), suite] : [suite];
}

const coreDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')), 'dist');

/** The spec file's code with its ES imports and exports removed; the imported names become parameters. */
function moduleBody(file: string): string {
  return readFileSync(join(coreDist, file), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('import ') && !line.startsWith('//# sourceMappingURL'))
    .map((line) => line.replace(/^export (function|const|let|class) /, '$1 '))
    .join('\n');
}

const PARAMS = [
  'tf',
  'describeWithFlags',
  'ALL_ENVS',
  'expectArraysClose',
  'expectArraysEqual',
  'identityPoolTest',
  'describe',
  'it',
  'beforeEach',
  'afterEach',
  'expect',
];

function evaluate(file: string, globals: Record<string, unknown>, tail = ''): unknown {
  const source = `(function (${PARAMS.join(', ')}) {\n'use strict';\n${moduleBody(file)}\n${tail}\n})`;
  const fn = runInThisContext(source, { filename: join(coreDist, file) }) as (...args: unknown[]) => unknown;
  return fn(...PARAMS.map((p) => globals[p]));
}

/** Jasmine's expect(): vitest's matchers plus `nothing()`, which tfjs' test_util calls. */
function jasmineExpect(actual?: unknown): unknown {
  if (arguments.length === 0) return { nothing: () => undefined };
  return vitestExpect(actual);
}

/** Collects the specs of one tfjs-core test file (e.g. 'ops/conv2d_test.js'). */
export function collectUpstreamSpecs(file: string): UpstreamSpec[] {
  const specs: UpstreamSpec[] = [];
  const seen = new Map<string, number>();
  let suite: Suite = { name: file, parent: null, beforeEach: [], afterEach: [] };

  const describe = (name: string, body: () => void): void => {
    const outer = suite;
    suite = { name, parent: outer, beforeEach: [], afterEach: [] };
    try {
      body();
    } finally {
      suite = outer;
    }
  };
  const it = (name: string, body: Body): void => {
    const suites = chain(suite);
    const base = [...suites.map((s) => s.name), name].join(' > ');
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    specs.push({
      name: count === 1 ? base : `${base} #${count}`,
      run: async () => {
        // As upstream's describeWithFlags does: every spec in its own engine scope.
        tf.engine().startScope();
        try {
          for (const hook of suites.flatMap((s) => s.beforeEach)) await hook();
          await body();
          for (const hook of [...suites].reverse().flatMap((s) => s.afterEach)) await hook();
        } finally {
          tf.engine().endScope();
          tf.disposeVariables();
        }
      },
    });
  };
  const globals: Record<string, unknown> = {
    tf,
    ALL_ENVS: {},
    describeWithFlags: (name: string, constraints: object, tests: (env: object) => void) => {
      if (Object.keys(constraints).length > 0) return; // only ALL_ENVS specs apply to every backend
      describe(`${name} wasm`, () => tests({ name: 'wasm', backendName: 'wasm', isDataSync: true }));
    },
    expectArraysClose: tf.test_util.expectArraysClose,
    expectArraysEqual: tf.test_util.expectArraysEqual,
    describe,
    it,
    beforeEach: (hook: Body) => suite.beforeEach.push(hook),
    afterEach: (hook: Body) => suite.afterEach.push(hook),
    expect: jasmineExpect,
  };
  if (file === 'ops/max_pool_test.js')
    globals.identityPoolTest = evaluate('ops/identity_pool_test.js', globals, 'return identityPoolTest;');
  evaluate(file, globals);
  return specs;
}

export interface SpecOutcome {
  name: string;
  error: string | null;
  /** Tensors still registered after the spec's scope closed. */
  leakedTensors: number;
}

export async function runSpecs(specs: readonly UpstreamSpec[]): Promise<SpecOutcome[]> {
  const outcomes: SpecOutcome[] = [];
  for (const spec of specs) {
    const before = tf.memory().numTensors;
    let error: string | null = null;
    try {
      await spec.run();
    } catch (thrown) {
      error = (thrown instanceof Error ? thrown.message : String(thrown)).split('\n')[0] || 'failed';
    }
    outcomes.push({ name: spec.name, error, leakedTensors: tf.memory().numTensors - before });
  }
  return outcomes;
}
