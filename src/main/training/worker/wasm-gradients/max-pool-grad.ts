import * as tf from '@tensorflow/tfjs';
import { heapViews } from './heap-kernels';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Non-overlapping windows (stride = window, the recipe's 2x2/2), 'valid' or 'same'. Others keep the stock kernel. */
export function isTiledPool(attrs: MaxPoolGradAttrs): boolean {
  const [fh, fw] = pair(attrs.filterSize);
  const [sh, sw] = pair(attrs.strides);
  return sh === fh && sw === fw && fh * fw >= 2 && (attrs.pad === 'valid' || attrs.pad === 'same');
}

/**
 * dx for tiled max pooling, in one pass over x: each window's gradient goes to its FIRST maximum
 * in row-major order, as on the cpu backend; padding never wins and input rows a 'valid' pooling
 * skips get zero. The windows do not overlap, so every dx element is written at most once. (The
 * stock wasm kernel is a scalar loop that routes ties differently from cpu; the earlier op-based
 * version here needed two 5-D transposes, argMax and a one-hot product: 157 CPU-ms on the recipe's
 * first pooling at batch 16, this loop 50-60.)
 */
export function tiledMaxPoolGradValues(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  shape: { n: number; h: number; w: number; c: number; ho: number; wo: number; fh: number; fw: number; top: number; left: number },
): void {
  const { n, h, w, c, ho, wo, fh, fw, top, left } = shape;
  dx.fill(0);
  // Offsets of the window's pixels inside the input, in row-major order (padding left out).
  const taps = new Int32Array(fh * fw);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        let count = 0;
        for (let i = 0; i < fh; i++) {
          const y = oy * fh - top + i;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j++) {
            const xx = ox * fw - left + j;
            if (xx >= 0 && xx < w) taps[count++] = ((b * h + y) * w + xx) * c;
          }
        }
        if (count === 0) continue;
        const g = ((b * ho + oy) * wo + ox) * c;
        if (count === 4) {
          // Four pixels in range (a 2x2 window inside the picture: nearly all of the recipe's), unrolled.
          const [p0, p1, p2, p3] = [taps[0]!, taps[1]!, taps[2]!, taps[3]!];
          for (let ch = 0; ch < c; ch++) {
            let at = p0 + ch;
            let best = x[at]!;
            const v1 = x[p1 + ch]!;
            if (v1 > best) {
              best = v1;
              at = p1 + ch;
            }
            const v2 = x[p2 + ch]!;
            if (v2 > best) {
              best = v2;
              at = p2 + ch;
            }
            if (x[p3 + ch]! > best) at = p3 + ch;
            dx[at] = dy[g + ch]!;
          }
          continue;
        }
        for (let ch = 0; ch < c; ch++) {
          let at = taps[0]! + ch;
          let best = x[at]!;
          for (let t = 1; t < count; t++) {
            const p = taps[t]! + ch;
            const v = x[p]!;
            if (v > best) {
              best = v;
              at = p;
            }
          }
          dx[at] = dy[g + ch]!;
        }
      }
    }
  }
}

export function tiledMaxPoolGradKernel(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.MaxPoolGrad,
    backendName: 'wasm',
    // The stock kernel binds its wasm function at backend start-up; it must still get that call.
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const attrs = args.attrs as unknown as MaxPoolGradAttrs;
      if (!isTiledPool(attrs) || input.dtype !== 'float32' || dy.dtype !== 'float32') return fallback.kernelFunc(args) as tf.TensorInfo;
      const [fh, fw] = pair(attrs.filterSize);
      const [n, h, w, c] = input.shape as [number, number, number, number];
      const info = tf.backend_util.computePool2DInfo([n, h, w, c], [fh, fw], [fh, fw], 1, attrs.pad, attrs.dimRoundingMode);
      const [, ho, wo] = dy.shape as [number, number, number, number];
      const { out, outValues, values } = heapViews(args.backend, [input, dy], [n, h, w, c]);
      tiledMaxPoolGradValues(values[0]!, values[1]!, outValues, {
        n,
        h,
        w,
        c,
        ho,
        wo,
        fh,
        fw,
        top: info.padInfo.top,
        left: info.padInfo.left,
      });
      return out;
    },
  };
}
