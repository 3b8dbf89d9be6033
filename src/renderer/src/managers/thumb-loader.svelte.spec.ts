import { describe, expect, it } from 'vitest';
import { ThumbCancelled, ThumbLoader } from './thumb-loader.svelte';

/** A fetch the test answers by hand, recording what was asked for and what was aborted. */
function harness(limit = 2) {
  const started: string[] = [];
  const aborted: string[] = [];
  const pending = new Map<string, (blob: Blob) => void>();
  const revoked: string[] = [];
  const loader = new ThumbLoader({
    limit,
    keep: 2,
    fetchBlob: (url, signal) =>
      new Promise<Blob>((resolve, reject) => {
        started.push(url);
        pending.set(url, resolve);
        signal.addEventListener('abort', () => {
          aborted.push(url);
          reject(new DOMException('aborted', 'AbortError'));
        });
      }),
    createUrl: (blob) => `blob:${(blob as Blob & { tag?: string }).tag ?? '?'}`,
    revokeUrl: (url) => revoked.push(url),
  });
  const answer = async (url: string): Promise<void> => {
    const blob = Object.assign(new Blob(['x']), { tag: url });
    pending.get(url)!(blob);
    pending.delete(url);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { loader, started, aborted, revoked, answer };
}

describe('ThumbLoader', () => {
  it('keeps at most `limit` requests in flight and serves visible tiles before nearby ones, newest first', async () => {
    const { loader, started, answer } = harness(2);
    loader.load('a', 'nearby');
    loader.load('b', 'nearby');
    loader.load('c', 'nearby');
    loader.load('d', 'visible');
    loader.load('e', 'visible');
    expect(started).toEqual(['a', 'b']);
    expect(loader.inFlight).toBe(2);
    await answer('a');
    // The newest visible tile goes first, then the other visible one, and only then the nearby row.
    expect(started).toEqual(['a', 'b', 'e']);
    await answer('b');
    expect(started).toEqual(['a', 'b', 'e', 'd']);
    await answer('e');
    expect(started.at(-1)).toBe('c');
  });

  it('a fast scroll: tiles that left drop out of the queue or are aborted in flight, so the last screen waits for nothing stale', async () => {
    const { loader, started, aborted, answer } = harness(2);
    // Screens flown past: each tile mounts, asks, and unmounts again.
    const passed = ['p1', 'p2', 'p3', 'p4', 'p5'].map((key) => loader.load(key, 'visible'));
    for (const ticket of passed) ticket.release();
    expect(aborted).toEqual(['p1', 'p2']);
    expect(loader.cancelled).toBe(5);
    await new Promise((r) => setTimeout(r, 0));
    // The screen the user stopped on.
    const last = ['z1', 'z2', 'z3'].map((key) => loader.load(key, 'visible'));
    // The aborted requests freed their slots: the last screen starts at once; p3..p5 never went out.
    expect(started).toEqual(['p1', 'p2', 'z1', 'z2']);
    await answer('z1');
    expect(started.at(-1)).toBe('z3');
    expect(await last[0]!.url).toBe('blob:z1');
    await expect(passed[0]!.url).rejects.toBeInstanceOf(ThumbCancelled);
    expect(started).not.toContain('p3');
  });

  it('shares one request between tiles asking for the same picture and keeps finished ones for scrolling back', async () => {
    const { loader, started, revoked, answer } = harness(2);
    const one = loader.load('a');
    const two = loader.load('a');
    expect(started).toEqual(['a']);
    one.release();
    await answer('a');
    expect(await two.url).toBe('blob:a');
    two.release();
    // Asked again after its tiles left: served from memory, no second request.
    expect(await loader.load('a').url).toBe('blob:a');
    expect(started).toEqual(['a']);
    // Beyond `keep` unclaimed pictures, the oldest object URLs are freed.
    for (const key of ['b', 'c', 'd']) {
      const t = loader.load(key);
      await answer(key);
      t.release();
    }
    expect(revoked).toEqual(['blob:b']);
  });

  it('a failed picture rejects its tiles and is fetched afresh when asked again', async () => {
    const failing = new ThumbLoader({
      limit: 1,
      fetchBlob: () => Promise.reject(new Error('HTTP 404')),
      createUrl: () => 'blob:x',
      revokeUrl: () => {},
    });
    await expect(failing.load('gone').url).rejects.toThrow('HTTP 404');
    await expect(failing.load('gone').url).rejects.toThrow('HTTP 404');
    expect(failing.inFlight).toBe(0);
  });
});
