import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '@shared/random';
import { lossAndCorrect } from './train-loop';

export interface HeadConfig {
  inputDim: number;
  numClasses: number;
  /** Hidden dense units (relu) before the classifier; 0 = dropout then one dense layer. */
  hidden: number;
  dropout: number;
  seed: number;
}

/**
 * The bottleneck head as raw variables: dropout → [dense relu] → dense softmax. Trained with a lean
 * loop (optimizer.minimize over pre-stacked features) because model.fit's per-batch overhead on
 * wasm costs ~2 s per epoch for a head PyTorch trains in 0.03 s.
 */
export class DenseHead {
  readonly variables: tf.Variable[];

  constructor(readonly config: HeadConfig) {
    const random = seededRandom(config.seed ^ 0x5eed);
    const glorot = (fanIn: number, fanOut: number): tf.Tensor => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < values.length; i++) values[i] = (random() * 2 - 1) * limit;
      return tf.tensor2d(values, [fanIn, fanOut]);
    };
    const dims = config.hidden > 0 ? [config.inputDim, config.hidden, config.numClasses] : [config.inputDim, config.numClasses];
    this.variables = tf.tidy(() => {
      const vars: tf.Variable[] = [];
      for (let i = 0; i + 1 < dims.length; i++) {
        vars.push(tf.variable(glorot(dims[i] as number, dims[i + 1] as number), true, `head_kernel_${i}`));
        vars.push(tf.variable(tf.zeros([dims[i + 1] as number]), true, `head_bias_${i}`));
      }
      return vars;
    });
  }

  /** Logits for pooled features [N, D]; dropout only when training. */
  apply(x: tf.Tensor2D, training: boolean, dropoutSeed?: number): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    if (training && this.config.dropout > 0) h = tf.dropout(h, this.config.dropout, undefined, dropoutSeed) as tf.Tensor2D;
    for (let i = 0; i < this.variables.length; i += 2) {
      h = tf.add(tf.matMul(h, this.variables[i] as tf.Variable), this.variables[i + 1] as tf.Variable) as tf.Tensor2D;
      if (i + 2 < this.variables.length) h = tf.relu(h);
    }
    return h;
  }

  /** One optimizer step on the rows `indices` of x/y: softmax cross-entropy, dropout drawn with `dropoutSeed`. */
  minimizeOn(optimizer: tf.Optimizer, x: tf.Tensor2D, y: tf.Tensor1D, indices: Int32Array | number[], dropoutSeed: number): void {
    optimizer.minimize(
      () =>
        tf.tidy(() => {
          const idx = tf.tensor1d(indices, 'int32');
          const logits = this.apply(tf.gather(x, idx), true, dropoutSeed);
          return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.gather(y, idx), this.config.numClasses), logits) as tf.Scalar;
        }),
      false,
      this.variables,
    );
  }

  /** Mean loss and accuracy over a whole split without dropout, in chunks to bound memory. */
  evaluate(x: tf.Tensor2D, y: tf.Tensor1D): { loss: number; acc: number } {
    const n = x.shape[0];
    if (n === 0) return { loss: 0, acc: 0 };
    const [loss, correct] = tf.tidy(() => {
      const r = lossAndCorrect(this.apply(x, false), y, this.config.numClasses);
      return [r.loss.dataSync()[0] as number, r.correct.dataSync()[0] as number];
    });
    return { loss: loss as number, acc: (correct as number) / n };
  }

  /** The head as Keras-style layers appended to `features` (already pooled), weights copied in. */
  toLayers(pooled: tf.SymbolicTensor): tf.SymbolicTensor {
    let h = pooled;
    if (this.config.dropout > 0) h = tf.layers.dropout({ rate: this.config.dropout, name: 'head_dropout' }).apply(h) as tf.SymbolicTensor;
    for (let i = 0; i < this.variables.length; i += 2) {
      const last = i + 2 >= this.variables.length;
      const kernel = this.variables[i] as tf.Variable;
      const layer = tf.layers.dense({
        units: kernel.shape[1] as number,
        activation: last ? 'softmax' : 'relu',
        name: last ? 'head_output' : `head_dense_${i / 2}`,
      });
      h = layer.apply(h) as tf.SymbolicTensor;
      layer.setWeights([kernel, this.variables[i + 1] as tf.Variable]);
    }
    return h;
  }

  /** Loads weights from a saved model's head layers (fine-tuning starts from a trained head). */
  static fromModel(model: tf.LayersModel, config: HeadConfig): DenseHead {
    const head = new DenseHead(config);
    const dense = model.layers.filter((l) => l.name === 'head_output' || l.name.startsWith('head_dense_'));
    const weights = dense.flatMap((l) => l.getWeights());
    if (weights.length !== head.variables.length) throw new Error('the parent model has no trained head of the expected shape');
    head.variables.forEach((v, i) => v.assign(weights[i] as tf.Tensor));
    return head;
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
