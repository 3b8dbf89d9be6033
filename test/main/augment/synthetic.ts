import type * as tfType from '@tensorflow/tfjs';

/** Pixel buffers for tests: every value says where it came from, so a warp can be read back exactly. */
export function coordinateImage(tf: typeof tfType, height: number, width: number): tfType.Tensor4D {
  // channel 0 = row, channel 1 = column, channel 2 = a constant; bilinear sampling of a linear ramp is
  // exact, so the output tells which source point each pixel read.
  const data = new Float32Array(height * width * 3);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = (r * width + c) * 3;
      data[i] = r;
      data[i + 1] = c;
      data[i + 2] = 7;
    }
  }
  return tf.tensor4d(data, [1, height, width, 3]);
}

/** A deterministic, asymmetric pattern in 0..255. */
export function patternImages(tf: typeof tfType, batch: number, height: number, width: number): tfType.Tensor4D {
  const data = new Float32Array(batch * height * width * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i * i) % 101)) % 256;
  return tf.tensor4d(data, [batch, height, width, 3]);
}

/** Black image with a white square marker of side `size` whose top-left corner is (row, col). */
export function markerImage(tf: typeof tfType, height: number, width: number, row: number, col: number, size: number): tfType.Tensor4D {
  const data = new Float32Array(height * width * 3);
  for (let r = row; r < row + size; r++) {
    for (let c = col; c < col + size; c++) data.fill(255, (r * width + c) * 3, (r * width + c) * 3 + 3);
  }
  return tf.tensor4d(data, [1, height, width, 3]);
}

/** Intensity-weighted centre of channel 0: where the marker is. */
export function centroid(pixels: ArrayLike<number>, height: number, width: number): { row: number; col: number } {
  let sum = 0;
  let rs = 0;
  let cs = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = pixels[(r * width + c) * 3]!;
      sum += v;
      rs += v * r;
      cs += v * c;
    }
  }
  return { row: rs / sum, col: cs / sum };
}
