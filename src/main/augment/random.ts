import { createHash } from 'node:crypto';

/**
 * A counter-based random stream: draw j of variant k of an image under a seed is a pure function of
 * (seed, image content hash, k, j). Nothing depends on batch size, order, backend or what was drawn
 * before, so variant k of image i under seed s is always the same picture.
 */
export class VariantRandom {
  readonly #words: Uint32Array;

  constructor(seed: number, imageKey: string, variantIndex: number) {
    const base = `lds-augment-v1\u0000${seed}\u0000${imageKey}\u0000${variantIndex}`;
    // Two digests give 16 independent 32-bit words: one fixed slot per parameter (see SLOTS), so adding
    // a parameter later never changes the draws of the existing ones.
    const a = createHash('sha256').update(`${base}\u00000`).digest();
    const b = createHash('sha256').update(`${base}\u00001`).digest();
    const bytes = Buffer.concat([a, b]);
    this.#words = new Uint32Array(16);
    for (let i = 0; i < 16; i++) this.#words[i] = bytes.readUInt32LE(i * 4);
  }

  /** Uniform in [0, 1) from the given slot. */
  unit(slot: number): number {
    const w = this.#words[slot];
    if (w === undefined) throw new Error(`random slot ${slot} out of range`);
    return w / 2 ** 32;
  }

  uniform(slot: number, lo: number, hi: number): number {
    return lo + this.unit(slot) * (hi - lo);
  }

  /** Integer uniform in [lo, hi] inclusive. */
  integer(slot: number, lo: number, hi: number): number {
    return lo + Math.min(hi - lo, Math.floor(this.unit(slot) * (hi - lo + 1)));
  }

  coin(slot: number): boolean {
    return this.unit(slot) < 0.5;
  }
}

/** Which word each parameter draws from. Never renumber: it would change every stored variant. */
export const SLOTS = {
  theta: 0,
  tx: 1,
  ty: 2,
  shear: 3,
  zx: 4,
  zy: 5,
  flipHorizontal: 6,
  flipVertical: 7,
  channelShift: 8,
  brightness: 9,
} as const;
