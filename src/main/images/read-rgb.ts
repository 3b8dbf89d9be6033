import sharp from 'sharp';
import { decodeLimit } from './concurrency';
import { displayPath } from './file-path';
import { withSharpInput } from './sharp-input';

/**
 * How a picture is brought to model input size. 'bilinear' is the default everywhere (training,
 * augment preview, prediction, export metadata): the TF tutorial's choice, and smoother than Keras
 * load_img's 'nearest' on the strong downscales small datasets need. It is libvips' linear kernel
 * with sharp's conservative JPEG shrink-on-load (fastShrinkOnLoad: false: the DCT scale leaves the
 * kernel a margin; 63 ms for a 4032x3024 JPEG against 280 ms decoded at full size). The aggressive one
 * saves ~5% more but moves pixels of large photos by up to 5 levels (see docs/decisions.md); when shrinking,
 * libvips widens the kernel to the scale factor (antialiased, like tf.image.resize(antialias=true)
 * or PIL's BILINEAR), not the 2x2 point sample of tf.image.resize's default.
 */
export type ResizeMethod = 'bilinear' | 'nearest';

/** 'stretch' = Keras load_img(target_size); 'centre-crop' = Teachable Machine / ml5 square crop. */
export type ResizeFit = 'stretch' | 'centre-crop';

export interface RgbImage {
  /** HxWx3, row-major, 8-bit sRGB. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ReadRgbOptions {
  fit?: ResizeFit;
  /**
   * Runs the decode instead of the process-wide limiter: the forward engine's pipeline keeps a whole
   * batch queued on libuv's threads, because ONNX Runtime's run blocks the event loop that would
   * otherwise start the next decode.
   */
  limiter?: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * Decodes an image (first frame, EXIF-rotated, alpha flattened on white, any depth/space → 8-bit
 * sRGB) and resizes it to size x size (or width x height). Throws with the path and reason if the
 * file cannot be read.
 */
export async function readImageRgb(
  path: string,
  size: number | { width: number; height: number },
  resizeMethod: ResizeMethod = 'bilinear',
  options: ReadRgbOptions = {},
): Promise<RgbImage> {
  const width = typeof size === 'number' ? size : size.width;
  const height = typeof size === 'number' ? size : size.height;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`readImageRgb: size must be positive integers, got ${width}x${height}`);
  }
  return (options.limiter ?? decodeLimit)(async () => {
    try {
      const { data, info } = await withSharpInput(path, (input) =>
        sharp(input, { pages: 1, failOn: 'none' })
          .rotate()
          .flatten({ background: '#ffffff' })
          .resize(width, height, {
            fit: options.fit === 'centre-crop' ? 'cover' : 'fill',
            position: 'centre',
            kernel: resizeMethod === 'nearest' ? 'nearest' : 'linear',
            fastShrinkOnLoad: false,
          })
          .toColourspace('srgb')
          .removeAlpha()
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true }),
      );
      if (info.channels !== 3 || info.width !== width || info.height !== height) {
        throw new Error(`unexpected decode ${info.width}x${info.height}x${info.channels}`);
      }
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
    } catch (error) {
      throw new Error(`cannot read image ${displayPath(path)}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  });
}
