import { seededRandom } from '@shared/random';

/**
 * The default bottleneck head (dropout → dense softmax, no hidden layer) trained in plain JS over
 * Float32Arrays. For a head this small, kernel dispatch is all the cost of a tfjs step (~10 ms per
 * batch on wasm, ~0.6 s an epoch of 2000 vectors); a fused loop does the same maths in well under a
 * millisecond per batch. Adam with Keras' defaults (beta1 0.9, beta2 0.999, epsilon 1e-7).
 */
export class LinearHead {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly #m: Float32Array;
  readonly #v: Float32Array;
  readonly #mb: Float32Array;
  readonly #vb: Float32Array;
  #t = 0;
  readonly #random: () => number;

  constructor(
    readonly inputDim: number,
    readonly numClasses: number,
    readonly dropout: number,
    seed: number,
  ) {
    this.#random = seededRandom(seed ^ 0x1ead);
    const limit = Math.sqrt(6 / (inputDim + numClasses));
    this.kernel = new Float32Array(inputDim * numClasses).map(() => (this.#random() * 2 - 1) * limit);
    this.bias = new Float32Array(numClasses);
    this.#m = new Float32Array(this.kernel.length);
    this.#v = new Float32Array(this.kernel.length);
    this.#mb = new Float32Array(numClasses);
    this.#vb = new Float32Array(numClasses);
  }

  /** Logits of row r of x (length inputDim each) into out, optionally through a dropout mask. */
  #logits(x: Float32Array, r: number, out: Float64Array, mask: Float32Array | null): void {
    const d = this.inputDim;
    const c = this.numClasses;
    const base = r * d;
    for (let k = 0; k < c; k++) out[k] = this.bias[k] as number;
    for (let i = 0; i < d; i++) {
      const xi = (x[base + i] as number) * (mask ? (mask[i] as number) : 1);
      if (xi === 0) continue;
      const row = i * c;
      for (let k = 0; k < c; k++) out[k] = (out[k] as number) + xi * (this.kernel[row + k] as number);
    }
  }

  /** Softmax in place, stable for large logits. */
  static #softmax(z: Float64Array): void {
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v);
    let sum = 0;
    for (let k = 0; k < z.length; k++) {
      z[k] = Math.exp((z[k] as number) - max);
      sum += z[k] as number;
    }
    for (let k = 0; k < z.length; k++) z[k] = (z[k] as number) / sum;
  }

  /** One Adam step on the rows `indices` of x; returns the batch's summed loss and correct count. */
  step(x: Float32Array, labels: Int32Array, indices: Int32Array, learningRate: number): { loss: number; correct: number } {
    const d = this.inputDim;
    const c = this.numClasses;
    const gW = new Float64Array(d * c);
    const gB = new Float64Array(c);
    const z = new Float64Array(c);
    const mask = this.dropout > 0 ? new Float32Array(d) : null;
    const keep = 1 - this.dropout;
    let loss = 0;
    let correct = 0;
    for (const r of indices) {
      if (mask) for (let i = 0; i < d; i++) mask[i] = this.#random() < keep ? 1 / keep : 0;
      this.#logits(x, r, z, mask);
      let best = 0;
      for (let k = 1; k < c; k++) if ((z[k] as number) > (z[best] as number)) best = k;
      const label = labels[r] as number;
      if (best === label) correct++;
      LinearHead.#softmax(z);
      loss -= Math.log(Math.max(1e-30, z[label] as number));
      z[label] = (z[label] as number) - 1;
      const base = r * d;
      for (let i = 0; i < d; i++) {
        const xi = (x[base + i] as number) * (mask ? (mask[i] as number) : 1);
        if (xi === 0) continue;
        const row = i * c;
        for (let k = 0; k < c; k++) gW[row + k] = (gW[row + k] as number) + xi * (z[k] as number);
      }
      for (let k = 0; k < c; k++) gB[k] = (gB[k] as number) + (z[k] as number);
    }
    const n = indices.length;
    this.#t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-7;
    const lr = (learningRate * Math.sqrt(1 - b2 ** this.#t)) / (1 - b1 ** this.#t);
    const adam = (w: Float32Array, g: Float64Array, m: Float32Array, v: Float32Array): void => {
      for (let j = 0; j < w.length; j++) {
        const gj = (g[j] as number) / n;
        m[j] = b1 * (m[j] as number) + (1 - b1) * gj;
        v[j] = b2 * (v[j] as number) + (1 - b2) * gj * gj;
        w[j] = (w[j] as number) - (lr * (m[j] as number)) / (Math.sqrt(v[j] as number) + eps);
      }
    };
    adam(this.kernel, gW, this.#m, this.#v);
    adam(this.bias, gB, this.#mb, this.#vb);
    return { loss, correct };
  }

  /** Mean loss and accuracy over all rows, without dropout. */
  evaluate(x: Float32Array, labels: Int32Array): { loss: number; acc: number } {
    const n = labels.length;
    if (!n) return { loss: 0, acc: 0 };
    const z = new Float64Array(this.numClasses);
    let loss = 0;
    let correct = 0;
    for (let r = 0; r < n; r++) {
      this.#logits(x, r, z, null);
      let best = 0;
      for (let k = 1; k < this.numClasses; k++) if ((z[k] as number) > (z[best] as number)) best = k;
      const label = labels[r] as number;
      if (best === label) correct++;
      LinearHead.#softmax(z);
      loss -= Math.log(Math.max(1e-30, z[label] as number));
    }
    return { loss: loss / n, acc: correct / n };
  }

  snapshot(): Float32Array[] {
    return [this.kernel.slice(), this.bias.slice()];
  }

  restore([kernel, bias]: Float32Array[]): void {
    this.kernel.set(kernel as Float32Array);
    this.bias.set(bias as Float32Array);
  }
}
