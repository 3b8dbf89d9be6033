import sharp from 'sharp';

/**
 * 8-bit RGB pixels as a JPEG, encoded on libvips' threads: the Augment view's grid shows 40 such
 * pictures per parameter change, and the PNG encoder (deflate plus a base64 answer of ~5 MB for
 * 4 × 9 variants at 224) was most of the wait. 4:4:4 and quality 92 keep edges and colours as the
 * model sees them to within a level or two; `lds augment preview` still writes exact PNGs.
 */
export async function encodeJpegRgb(pixels: Uint8Array, width: number, height: number, quality = 92): Promise<Buffer> {
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}
