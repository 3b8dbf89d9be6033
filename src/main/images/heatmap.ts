import sharp from 'sharp';
import { blendHeatmap, type HeatmapGrid } from '@shared/heatmap';
import { decodeLimit } from './concurrency';
import { displayPath } from './file-path';
import { withSharpInput } from './sharp-input';

/**
 * The picture at its own size (EXIF orientation applied, transparency on white) with a Grad-CAM grid
 * blended over it, as PNG.
 */
export async function renderHeatmapOverlay(sourcePath: string, map: HeatmapGrid): Promise<{ png: Buffer; width: number; height: number }> {
  return decodeLimit(async () => {
    try {
      return await withSharpInput(sourcePath, async (input) => {
        const { data, info } = await sharp(input, { pages: 1, failOn: 'none' })
          .rotate()
          .flatten({ background: '#ffffff' })
          .toColourspace('srgb')
          .removeAlpha()
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        blendHeatmap(pixels, info.width, info.height, info.channels, map);
        const png = await sharp(pixels, { raw: { width: info.width, height: info.height, channels: info.channels } })
          .png()
          .toBuffer();
        return { png, width: info.width, height: info.height };
      });
    } catch (error) {
      throw new Error(`cannot draw the heatmap over ${displayPath(sourcePath)}: ${(error as Error).message.split('\n')[0]}`, {
        cause: error,
      });
    }
  });
}
