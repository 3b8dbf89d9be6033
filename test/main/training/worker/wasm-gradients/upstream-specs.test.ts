import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmGradients, WASM_GRADIENT_KERNELS, wasmBinaryDirectory } from '../../../../../src/main/training/worker/wasm-gradients';
import { collectUpstreamSpecs, runSpecs, type SpecOutcome } from './upstream-spec-shim';

/** tfjs-core's own specs for the ops whose wasm kernels (or gradients) we supply. */
const FILES = [
  'ops/conv2d_test.js',
  'ops/conv2d_transpose_test.js',
  'ops/depthwise_conv2d_test.js',
  'ops/conv2d_separable_test.js',
  'ops/max_pool_test.js',
  'ops/batchnorm_test.js',
  'ops/mat_mul_test.js',
];

/**
 * Specs that fail on wasm whatever gradients are installed: stock wasm fails them identically, for a
 * reason outside the kernels we supply. Any other failure, or one of these failing differently or
 * passing, fails this test, so the list stays exact.
 */
const UPSTREAM_ONLY: ReadonlyArray<{ reason: string; error: RegExp; specs: readonly string[] }> = [
  {
    reason: 'the stock wasm Conv2D forward kernel has no NCHW (channelsFirst) path; our kernels refuse NCHW too (the product is NHWC only)',
    error: /wasm backend Conv2D does not support dataFormat:'channelsFirst'/,
    specs: [
      'ops/conv2d_test.js > conv2d wasm > x=[2,1,2,2] f=[1,1,1,1] s=1 d=1 p=0 NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[4,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[3,2,2] f=[1,1,3,4] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[2,2,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[4,2,2] f=[2,2,4,4] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=explicit NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[2,2,2] f=[2,2,2,1] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > x=[2,1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW',
      'ops/conv2d_test.js > conv2d wasm > gradient x=[1,1,3,3] f=[2,2,1,1] s=1 p=0 NCHW',
      'ops/conv2d_test.js > conv2d wasm > gradient x=[2,1,3,3] f=[2,2,1,1] s=1 p=0 NCHW',
    ],
  },
  {
    reason: 'the stock wasm BatchMatMul is float32-only (no int32 upcast); our wrapper hands untransposed products to it unchanged',
    error: /BatchMatMul for non non-float32 tensors not yet supported/,
    specs: ['ops/mat_mul_test.js > matmul wasm > upcasts when dtypes dont match'],
  },
];

const KNOWN = new Map(UPSTREAM_ONLY.flatMap((group) => group.specs.map((name) => [name, group] as const)));

let stock: SpecOutcome[] = [];
let ours: SpecOutcome[] = [];

beforeAll(async () => {
  const specs = FILES.flatMap((file) => collectUpstreamSpecs(file));
  setWasmPaths(wasmBinaryDirectory());
  expect(await tf.setBackend('wasm')).toBe(true);
  stock = await runSpecs(specs);
  installWasmGradients();
  for (const kernel of WASM_GRADIENT_KERNELS) expect(tf.getKernel(kernel.kernelName, 'wasm')?.kernelFunc).toBe(kernel.kernelFunc);
  ours = await runSpecs(specs);
}, 300_000);

const failures = (outcomes: SpecOutcome[]): SpecOutcome[] => outcomes.filter((o) => o.error !== null);
const list = (outcomes: SpecOutcome[]): string => outcomes.map((o) => `${o.name}: ${o.error ?? 'passed'}`).join('\n');

describe("TF.js upstream specs on wasm with our kernels (tfjs-core's dist/ops/*_test.js)", () => {
  it('collected every file’s specs', () => {
    expect(ours.length).toBe(stock.length);
    for (const file of FILES) expect(ours.filter((o) => o.name.startsWith(`${file} >`)).length, file).toBeGreaterThan(5);
  });

  it('every spec that passes on stock wasm passes with our kernels', () => {
    const passedOnStock = new Set(stock.filter((o) => o.error === null).map((o) => o.name));
    const regressions = failures(ours).filter((o) => passedOnStock.has(o.name));
    expect(regressions, list(regressions)).toEqual([]);
  });

  it('the gradient specs stock wasm cannot run (kernel not registered) pass with our kernels', () => {
    const missingKernel = stock.filter((o) => o.error?.includes('not registered for backend'));
    expect(missingKernel.length).toBeGreaterThanOrEqual(15);
    const byName = new Map(ours.map((o) => [o.name, o]));
    const stillFailing = missingKernel.map((o) => byName.get(o.name)!).filter((o) => o.error !== null);
    expect(stillFailing, list(stillFailing)).toEqual([]);
  });

  it('every failure with our kernels is a listed upstream-only failure, with its listed cause', () => {
    const unexplained = failures(ours).filter((o) => !KNOWN.get(o.name)?.error.test(o.error ?? ''));
    expect(unexplained, list(unexplained)).toEqual([]);
  });

  it('every listed upstream-only failure still fails, the same way on stock wasm (the list is not stale)', () => {
    const stockByName = new Map(stock.map((o) => [o.name, o]));
    const oursByName = new Map(ours.map((o) => [o.name, o]));
    for (const [name, group] of KNOWN) {
      expect(oursByName.get(name)?.error ?? 'passed or missing', name).toMatch(group.error);
      expect(stockByName.get(name)?.error ?? 'passed or missing', name).toMatch(group.error);
    }
  });

  it('conv2dTranspose input=8x8x8, output=4x4x8, f=8, s=1, inDepth=8, p=same matches its expected values (issue 13 item 15)', () => {
    const spec = ours.find((o) => o.name.includes('input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same'));
    expect(spec?.name).toBeDefined();
    expect(spec?.error ?? null).toBeNull();
  });

  it('leaks no tensors where stock wasm leaks none', () => {
    // tfjs' engine itself leaks a gradient's intermediates when tf.grad throws (missing kernel, or
    // the dilation check of "throws error on dilations > 1"): the same count on stock wasm.
    const stockByName = new Map(stock.map((o) => [o.name, o]));
    const worse = ours.filter((o) => o.leakedTensors > (stockByName.get(o.name)?.leakedTensors ?? 0));
    expect(worse.map((o) => `${o.name}: ${o.leakedTensors} tensors`)).toEqual([]);
    const enabled = ours.filter((o) => o.error === null && stockByName.get(o.name)?.error?.includes('not registered for backend'));
    expect(enabled.filter((o) => o.leakedTensors !== 0).map((o) => o.name)).toEqual([]);
  });
});
