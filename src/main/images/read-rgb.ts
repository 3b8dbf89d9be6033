import sharp, { type Metadata } from 'sharp';
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

/**
 * 'stretch' = Keras load_img(target_size) / flow_from_directory: the whole picture, aspect ignored.
 * 'centre-crop' = Teachable Machine, torchvision (Resize + CenterCrop), Keras crop_to_aspect_ratio:
 * the largest centred square of the (EXIF-oriented) picture, then resized; the odd pixel of an odd
 * margin stays on the right/bottom, as Teachable Machine's cropTo (~~(d / 2)) leaves it.
 */
export type ResizeFit = 'stretch' | 'centre-crop';

/** The centred square crop of a width x height picture: what 'centre-crop' keeps before resizing. */
export function centreSquare(width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

/** Orientations 5-8 turn the picture a quarter: its displayed width is the stored height. */
function orientedSize(meta: Metadata): { width: number; height: number } {
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}

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
      const { data, info } = await withSharpInput(path, async (input) => {
        // rotate() before extract(): sharp orients first, so the crop is of the picture as seen.
        let pipeline = sharp(input, { pages: 1, failOn: 'none' }).rotate();
        if (options.fit === 'centre-crop') {
          const oriented = orientedSize(await sharp(input, { pages: 1, failOn: 'none' }).metadata());
          if (oriented.width !== oriented.height) pipeline = pipeline.extract(centreSquare(oriented.width, oriented.height));
        }
        return pipeline
          .flatten({ background: '#ffffff' })
          .resize(width, height, { fit: 'fill', kernel: resizeMethod === 'nearest' ? 'nearest' : 'linear', fastShrinkOnLoad: false })
          .toColourspace('srgb')
          .removeAlpha()
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
      });
      if (info.channels !== 3 || info.width !== width || info.height !== height) {
        throw new Error(`unexpected decode ${info.width}x${info.height}x${info.channels}`);
      }
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
    } catch (error) {
      throw new Error(`cannot read image ${displayPath(path)}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  });
}
