/**
 * TensorFlow's 'same' padding along one axis: the total is what makes the output ceil(in / stride)
 * long, and an odd total puts the extra row/column at the end (bottom/right). ONNX's symmetric
 * defaults differ exactly there, so the converter always writes explicit pads.
 */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** ONNX `pads` [top, left, bottom, right] for a 2-D window over an H x W map. */
export function pads2d(
  padding: string,
  size: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): [number, number, number, number] | null {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') return null;
  const [top, bottom] = samePadding(size[0], kernel[0], strides[0], dilations[0]);
  const [left, right] = samePadding(size[1], kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}
