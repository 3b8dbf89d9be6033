/**
 * Perceptual hashes for near-duplicate detection: a resized, re-encoded or slightly edited copy of a
 * picture hashes within a few bits of the original, unlike its sha256. Two 64-bit hashes from one
 * 32x32 greyscale decode: pHash (low frequencies of the DCT, above/below their median) and dHash
 * (brightness gradient between horizontal neighbours on a 9x8 grid).
 */
import sharp from 'sharp';
import { decodeLimit } from './concurrency';
import { displayPath } from './file-path';
import { withSharpInput } from './sharp-input';

export interface PerceptualHash {
  /** 16 hex digits each. */
  phash: string;
  dhash: string;
}

const N = 32;

function bitsToHex(bits: readonly boolean[]): string {
  let hex = '';
  for (let i = 0; i < bits.length; i += 4)
    hex += ((bits[i] ? 8 : 0) | (bits[i + 1] ? 4 : 0) | (bits[i + 2] ? 2 : 0) | (bits[i + 3] ? 1 : 0)).toString(16);
  return hex;
}

const cosTable = (() => {
  const t = new Float64Array(8 * N);
  for (let u = 0; u < 8; u++) for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return t;
})();

/** pHash of a 32x32 greyscale picture: the 8x8 lowest DCT frequencies against their median (DC left out). */
export function phashOf(grey: ArrayLike<number>): string {
  const rows = new Float64Array(8 * N);
  for (let y = 0; y < N; y++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += (grey[y * N + x] as number) * (cosTable[u * N + x] as number);
      rows[u * N + y] = s;
    }
  const coeffs: number[] = [];
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += (rows[u * N + y] as number) * (cosTable[v * N + y] as number);
      coeffs.push(s);
    }
  const ac = coeffs.slice(1);
  const median = [...ac].sort((a, b) => a - b)[Math.floor(ac.length / 2)] as number;
  return bitsToHex(coeffs.map((c, i) => (i === 0 ? false : c > median)));
}

/** dHash from the 32x32 greyscale picture box-sampled to 9x8. */
export function dhashOf(grey: ArrayLike<number>): string {
  const cell = (cx: number, cy: number): number => {
    const x0 = Math.floor((cx * N) / 9);
    const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * N) / 9));
    const y0 = cy * 4;
    let s = 0;
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x1; x++) s += grey[y * N + x] as number;
    return s / ((x1 - x0) * 4);
  };
  const bits: boolean[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits.push(cell(x, y) < cell(x + 1, y));
  return bitsToHex(bits);
}

export async function perceptualHash(path: string): Promise<PerceptualHash> {
  return decodeLimit(async () => {
    try {
      const data = await withSharpInput(path, (input) =>
        sharp(input, { pages: 1, failOn: 'none' })
          .rotate()
          .flatten({ background: '#ffffff' })
          .greyscale()
          .resize(N, N, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
          .raw()
          .toBuffer(),
      );
      if (data.length !== N * N) throw new Error(`unexpected decode of ${data.length} bytes`);
      return { phash: phashOf(data), dhash: dhashOf(data) };
    } catch (error) {
      throw new Error(`cannot hash image ${displayPath(path)}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  });
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Differing bits between two hex hashes of the same length. */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 2) d += POPCOUNT[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)] as number;
  return d;
}
