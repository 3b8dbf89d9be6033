import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThumbnailAbandoned, ThumbnailQueue, thumbnailFile } from '../../../src/main/images';
import { noisyJpeg } from '../../fixtures/images';

let root: string;
const pictures: { path: string; sha: string }[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lds-thumb-queue-'));
  for (let i = 0; i < 6; i++) {
    const path = join(root, `p${i}.jpg`);
    writeFileSync(path, await noisyJpeg(300 + i, 200, i + 1));
    pictures.push({ path, sha: String(i).repeat(64) });
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ThumbnailQueue', () => {
  it('renders the newest request first once a slot frees (the screen the user landed on)', async () => {
    const dir = join(root, 'lifo');
    const queue = new ThumbnailQueue(1);
    const finished: number[] = [];
    const asks = pictures.slice(0, 5).map((p, i) => queue.get(p.path, p.sha, dir).then(() => finished.push(i)));
    expect(queue.waiting).toBe(4);
    await Promise.all(asks);
    // The first took the free slot at once; the rest went newest first.
    expect(finished).toEqual([0, 4, 3, 2, 1]);
    expect(queue.stats.rendered).toBe(5);
  });

  it('drops a request whose client went away before its render started: nothing is made for it', async () => {
    const dir = join(root, 'abandoned');
    const queue = new ThumbnailQueue(1);
    const running = queue.get(pictures[0]!.path, pictures[0]!.sha, dir);
    const gone = new AbortController();
    const abandoned = queue.get(pictures[1]!.path, pictures[1]!.sha, dir, gone.signal);
    const wanted = queue.get(pictures[2]!.path, pictures[2]!.sha, dir, new AbortController().signal);
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(ThumbnailAbandoned);
    await Promise.all([running, wanted]);
    expect(queue.stats).toEqual({ rendered: 2, dropped: 1 });
    expect(existsSync(thumbnailFile(dir, pictures[1]!.sha))).toBe(false);
    expect(existsSync(thumbnailFile(dir, pictures[2]!.sha))).toBe(true);
    // An already aborted signal is refused at once; a cached thumbnail is still served to anyone.
    await expect(queue.get(pictures[3]!.path, pictures[3]!.sha, dir, AbortSignal.abort())).rejects.toBeInstanceOf(ThumbnailAbandoned);
    expect((await queue.get(pictures[2]!.path, pictures[2]!.sha, dir, AbortSignal.abort())).subarray(8, 12).toString('ascii')).toBe('WEBP');
  });

  it('one of two askers leaving does not cancel the shared render for the other', async () => {
    const dir = join(root, 'shared');
    const queue = new ThumbnailQueue(1);
    const blocker = queue.get(pictures[0]!.path, pictures[0]!.sha, dir);
    const leaving = new AbortController();
    const a = queue.get(pictures[4]!.path, pictures[4]!.sha, dir, leaving.signal);
    const b = queue.get(pictures[4]!.path, pictures[4]!.sha, dir);
    leaving.abort();
    await expect(a).rejects.toBeInstanceOf(ThumbnailAbandoned);
    expect((await b).subarray(8, 12).toString('ascii')).toBe('WEBP');
    await blocker;
    expect(queue.stats).toEqual({ rendered: 2, dropped: 0 });
  });

  it('never runs more renders than its limit', async () => {
    const dir = join(root, 'limit');
    const queue = new ThumbnailQueue(2);
    const asks = pictures.map((p) => queue.get(p.path, p.sha, dir));
    expect(queue.waiting).toBe(pictures.length - 2);
    await Promise.all(asks);
    expect(queue.waiting).toBe(0);
    expect(queue.stats.rendered).toBe(pictures.length);
  });
});
