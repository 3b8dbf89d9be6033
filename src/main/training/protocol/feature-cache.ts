import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bottleneck features on disk under workspace/features/, one small file per (image content, backbone
 * key, augmentation variant). The key covers image sha256 + backbone id + weights sha256 + input size
 * + preprocessing + variant (seed, index): changing any part misses, nothing else invalidates.
 * Files, not SQLite, because the training process must never open the catalogue.
 */
export class FeatureCache {
  hits = 0;
  misses = 0;
  writes = 0;

  constructor(readonly root: string) {}

  static variantName(variant: { seed: number; index: number } | null): string {
    return variant ? `aug-s${variant.seed}-k${variant.index}` : 'plain';
  }

  /** Key hashes and folders already made: a put runs per picture, on the thread that feeds the forward engine. */
  readonly #keyHashes = new Map<string, string>();
  readonly #made = new Set<string>();

  #dir(backboneKey: string, variant: string): string {
    let keyHash = this.#keyHashes.get(backboneKey);
    if (!keyHash) {
      keyHash = createHash('sha256').update(backboneKey).digest('hex').slice(0, 20);
      this.#keyHashes.set(backboneKey, keyHash);
    }
    return join(this.root, keyHash, variant);
  }

  #file(sha256: string, backboneKey: string, variant: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`feature cache: not a sha256: ${sha256}`);
    return join(this.#dir(backboneKey, variant), sha256.slice(0, 2), `${sha256}.f32`);
  }

  get(sha256: string, backboneKey: string, variant: string, length: number): Float32Array | null {
    const file = this.#file(sha256, backboneKey, variant);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      this.misses++;
      return null;
    }
    // A torn or foreign file is a miss, never wrong features.
    if (bytes.byteLength !== length * 4) {
      this.misses++;
      return null;
    }
    this.hits++;
    const out = new Float32Array(length);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  put(sha256: string, backboneKey: string, variant: string, data: Float32Array): void {
    const file = this.#file(sha256, backboneKey, variant);
    const dir = join(file, '..');
    const write = (): void => {
      if (!this.#made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        const keyFile = join(this.#dir(backboneKey, variant), '..', 'key.txt');
        if (!existsSync(keyFile)) writeFileSync(keyFile, `${backboneKey}\n`);
        this.#made.add(dir);
      }
      // Write then rename: a crash mid-write leaves a temp file, never a short feature file.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      renameSync(tmp, file);
    };
    try {
      write();
    } catch (error) {
      // The cache was cleared under a running job (Settings → clear): make the folders again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#made.clear();
      write();
    }
    this.writes++;
  }

  /** Total bytes on disk (shown to the user, who can clear it). */
  static sizeBytes(root: string): number {
    if (!existsSync(root)) return 0;
    let total = 0;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else total += statSync(path).size;
      }
    };
    walk(root);
    return total;
  }

  static clear(root: string): void {
    rmSync(root, { recursive: true, force: true });
  }
}
