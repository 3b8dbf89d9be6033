import { deflateSync } from 'node:zlib';

/**
 * A minimal PNG encoder for 8-bit RGB pixels: previews and `lds augment preview` write exactly the
 * pixels augmentation produced (rounded and clipped to 0..255), with no second resize on the way.
 * Deflate level 1: level 6 took ~15 ms per 224x224 variant, most of a 9-variant preview update.
 */
export function encodePngRgb(pixels: ArrayLike<number>, width: number, height: number): Buffer {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let r = 0; r < height; r++) {
    const rowStart = r * (stride + 1);
    raw[rowStart] = 0; // filter: none
    if (pixels instanceof Uint8Array) {
      raw.set(pixels.subarray(r * stride, (r + 1) * stride), rowStart + 1);
      continue;
    }
    for (let i = 0; i < stride; i++) {
      const v = Math.round(pixels[r * stride + i]!);
      raw[rowStart + 1 + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
