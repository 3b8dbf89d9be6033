import * as tf from '@tensorflow/tfjs';

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Pair = number | [number, number];

/** The attributes every 2-D convolution gradient kernel needs, normalised. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: Pair,
  dilations: Pair,
  pad: Pad,
  rounding: Rounding,
  depthwise: boolean,
  dataFormat: string | undefined,
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm gradients: only NHWC data is supported, got ${dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    rounding,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
  };
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
export function padOrCrop4d(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    out = tf.slice(out, [0, cropTop, cropLeft, 0], [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c]);
  }
  return out;
}

/** Input padded the way the forward convolution saw it (rows it never read may be cropped). */
export function paddedInput(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const usedHeight = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
  const usedWidth = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
  return padOrCrop4d(x, g.top, usedHeight - g.inHeight - g.top, g.left, usedWidth - g.inWidth - g.left);
}

/**
 * The output gradient spread back onto the input grid and padded so that a stride-1 'valid'
 * correlation with the 180°-rotated filter (same dilation) yields exactly the input gradient.
 */
export function spreadOutputGradient(dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n, ho, wo, c] = dy.shape;
  let up: tf.Tensor4D = dy;
  if (g.strideHeight > 1 || g.strideWidth > 1) {
    const holes = tf.pad(tf.reshape(dy, [n, ho, 1, wo, 1, c]), [
      [0, 0],
      [0, 0],
      [0, g.strideHeight - 1],
      [0, 0],
      [0, g.strideWidth - 1],
      [0, 0],
    ]);
    up = tf.reshape(holes, [n, ho * g.strideHeight, wo * g.strideWidth, c]);
  }
  const spanH = (g.filterHeight - 1) * g.dilationHeight;
  const spanW = (g.filterWidth - 1) * g.dilationWidth;
  const padTop = spanH - g.top;
  const padLeft = spanW - g.left;
  const padBottom = g.inHeight + spanH - padTop - up.shape[1];
  const padRight = g.inWidth + spanW - padLeft - up.shape[2];
  return padOrCrop4d(up, padTop, padBottom, padLeft, padRight);
}

/**
 * The input rows/columns that filter tap (i, j) meets, for every output position: an
 * [.., outHeight, outWidth, ..] window of the padded input, strided like the convolution.
 * `rowAxis` says where the spatial axes sit (1 for NHWC, 2 for CNHW).
 */
export function tapWindow(xp: tf.Tensor4D, g: ConvGeometry, i: number, j: number, rowAxis: 1 | 2): tf.Tensor4D {
  const begin = [0, 0, 0, 0];
  const end = [...xp.shape];
  const strides = [1, 1, 1, 1];
  begin[rowAxis] = i * g.dilationHeight;
  begin[rowAxis + 1] = j * g.dilationWidth;
  end[rowAxis] = begin[rowAxis]! + (g.outHeight - 1) * g.strideHeight + 1;
  end[rowAxis + 1] = begin[rowAxis + 1]! + (g.outWidth - 1) * g.strideWidth + 1;
  strides[rowAxis] = g.strideHeight;
  strides[rowAxis + 1] = g.strideWidth;
  if (g.strideHeight === 1 && g.strideWidth === 1) {
    const size = end.map((e, k) => e - begin[k]!);
    return tf.slice(xp, begin, size);
  }
  return tf.stridedSlice(xp, begin, end, strides) as tf.Tensor4D;
}
