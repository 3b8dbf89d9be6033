export interface ConvertOptions {
  /** Convert up to this layer's output instead of the model's output (searched in nested models too). */
  outputLayer?: string;
  /** The batch axis is always a named dynamic dimension ('batch'); the option exists for a fixed batch later. */
  batch?: 'dynamic';
  /**
   * Write ReLU6 as 6 - relu(6 - relu(x)) instead of Clip(x, 0, 6), for OpenCV 4.6 DNN, which reads only
   * the attribute form of Clip (before opset 11). Within 5e-7 of Clip, but about 2x slower in ONNX
   * Runtime (no Conv+Clip fusion), so ONNX Runtime gets Clip.
   */
  portableRelu6?: boolean;
}

export type ConvertResult =
  | {
      ok: true;
      /** A serialised ONNX ModelProto. */
      onnx: Uint8Array;
      inputName: string;
      outputName: string;
      /** NHWC as TF.js, batch first as -1 (dynamic), e.g. [-1, 224, 224, 3]. */
      inputShape: number[];
      /** The TF.js output shape, batch first as -1: [-1, 7, 7, 1280] (NHWC, as TF.js) or [-1, 1280]. */
      outputShape: number[];
      opset: number;
    }
  | {
      ok: false;
      /** The first layer the converter cannot express (or the model's name for whole-model problems). */
      layer: string;
      className: string;
      reason: string;
    };

/** Thrown inside the converter; convertLayersModel turns it into { ok: false }. */
export class UnsupportedLayer extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    readonly reason: string,
  ) {
    super(`${layer} (${className}): ${reason}`);
  }
}
