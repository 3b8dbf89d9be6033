import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventName } from '@shared/contract';
import { EventBus } from '../../../src/main/engine/event-bus';
import { JobRunner, type JobContext } from '../../../src/main/jobs/job-runner';

interface Heard {
  event: EventName;
  payload: { id: string; status: string; done: number; total: number; message: string | null; error: string | null };
}

function setup(keepFinished?: number) {
  const events = new EventBus();
  const heard: Heard[] = [];
  events.subscribe((event, payload) => {
    if (event === 'job.progress' || event === 'job.finished') heard.push({ event, payload });
  });
  return { jobs: new JobRunner(events, keepFinished), heard };
}

/** A job body that runs until the test lets it go. */
function gate() {
  let release!: () => void;
  let enter!: (ctx: JobContext) => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<JobContext>((resolve) => (enter = resolve));
  const run = async (ctx: JobContext) => {
    enter(ctx);
    await released;
    return 'done';
  };
  return { run, entered, release };
}

describe('JobRunner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns an id before the body runs, then reports the result', async () => {
    const { jobs, heard } = setup();
    const body = vi.fn(async () => 42);
    const id = jobs.start({ kind: 'test', label: 'answer', run: body });
    expect(body).not.toHaveBeenCalled();
    expect(jobs.get(id)?.status).toBe('running');
    expect(heard.map((h) => h.event)).toEqual(['job.progress']);

    const info = await jobs.wait(id);
    expect(info.status).toBe('succeeded');
    expect(heard.at(-1)).toMatchObject({ event: 'job.finished', payload: { id, status: 'succeeded', result: 42 } });
  });

  it('throttles progress to one event per 100 ms and delivers the latest values', async () => {
    const { jobs, heard } = setup();
    const g = gate();
    const id = jobs.start({ kind: 'test', label: 'busy', run: g.run });
    const ctx = await g.entered;
    for (let i = 1; i <= 1000; i++) ctx.progress(i, 1000, `item ${i}`);
    const progress = () => heard.filter((h) => h.event === 'job.progress' && h.payload.id === id);
    // The start event plus the first call: the other 999 wait for the interval.
    expect(progress().map((h) => h.payload.done)).toEqual([0, 1]);

    await vi.advanceTimersByTimeAsync(99);
    expect(progress()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(progress().at(-1)?.payload).toMatchObject({ done: 1000, total: 1000, message: 'item 1000' });
    expect(progress()).toHaveLength(3);

    g.release();
    await jobs.wait(id);
  });

  it('sends no progress after the job has finished', async () => {
    const { jobs, heard } = setup();
    const id = jobs.start({
      kind: 'test',
      label: 'quick',
      run: async (ctx) => {
        ctx.progress(1, 2);
        ctx.progress(2, 2); // held back by the throttle
      },
    });
    await jobs.wait(id);
    expect(vi.getTimerCount()).toBe(0); // the held-back emit was dropped, not left to fire
    await vi.advanceTimersByTimeAsync(1000);
    expect(heard.at(-1)?.event).toBe('job.finished');
  });

  it('cancels a running job, runs its cleanup, and refuses to cancel it twice', async () => {
    const { jobs } = setup();
    const cleanup = vi.fn();
    const id = jobs.start({
      kind: 'test',
      label: 'cancellable',
      run: async (ctx) => {
        for (;;) {
          ctx.throwIfCancelled();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      cleanup,
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(cleanup).not.toHaveBeenCalled();
    expect(jobs.cancel(id)).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    const info = await jobs.wait(id);
    expect(info.status).toBe('cancelled');
    expect(info.error).toBeNull();
    expect(cleanup).toHaveBeenCalledOnce();
    expect(jobs.cancel(id)).toBe(false);
    expect(jobs.cancel('no-such-job')).toBe(false);
  });

  it('counts a body that ignores the signal but returns after cancel as cancelled', async () => {
    const { jobs } = setup();
    const g = gate();
    const id = jobs.start({ kind: 'test', label: 'deaf', run: g.run });
    await g.entered;
    jobs.cancel(id);
    g.release();
    expect((await jobs.wait(id)).status).toBe('cancelled');
  });

  it('records a failure with its message and still cleans up; a failing cleanup changes nothing', async () => {
    const { jobs } = setup();
    const cleanup = vi.fn(() => {
      throw new Error('cleanup broke');
    });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const id = jobs.start({
      kind: 'test',
      label: 'broken',
      run: async () => {
        throw new Error('disk full');
      },
      cleanup,
    });
    const info = await jobs.wait(id);
    quiet.mockRestore();
    expect(info).toMatchObject({ status: 'failed', error: 'disk full' });
    expect(cleanup).toHaveBeenCalledOnce();
  });

  it('waits for an async cleanup before the job counts as finished', async () => {
    const { jobs, heard } = setup();
    let cleaned = false;
    const id = jobs.start({
      kind: 'test',
      label: 'slow cleanup',
      run: async () => 'ok',
      cleanup: async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        cleaned = true;
      },
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(heard.some((h) => h.event === 'job.finished')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await jobs.wait(id)).status).toBe('succeeded');
    expect(cleaned).toBe(true);
  });

  it('keeps running jobs and only the newest finished ones', async () => {
    const { jobs } = setup(3);
    const g = gate();
    const running = jobs.start({ kind: 'test', label: 'long', run: g.run });
    const finished: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = jobs.start({ kind: 'test', label: `short ${i}`, run: async () => i });
      await jobs.wait(id);
      finished.push(id);
    }
    expect(jobs.list().map((j) => j.id)).toEqual([running, ...finished.slice(2)]);
    expect(jobs.get(finished[0]!)).toBeUndefined();
    await expect(jobs.wait(finished[0]!)).rejects.toThrow(/unknown job/);

    // The long job finishes last, so it is the newest finished one and pushes out the oldest.
    g.release();
    await jobs.wait(running);
    expect(jobs.list().map((j) => j.id)).toEqual([running, ...finished.slice(3)]);
  });

  it('cancelAll stops every running job and waits for them', async () => {
    const { jobs } = setup();
    const g = gate();
    const ids = [0, 1].map(() =>
      jobs.start({
        kind: 'test',
        label: 'waits for the signal',
        run: async (ctx) => {
          await g.run(ctx);
          ctx.throwIfCancelled();
        },
      }),
    );
    await g.entered;
    const stopped = jobs.cancelAll();
    g.release();
    await stopped;
    expect(ids.map((id) => jobs.get(id)?.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('does not start the body of a job cancelled before it began', async () => {
    const { jobs } = setup();
    const body = vi.fn(async () => 'ran');
    const id = jobs.start({ kind: 'test', label: 'never', run: body });
    jobs.cancel(id);
    expect((await jobs.wait(id)).status).toBe('cancelled');
    expect(body).not.toHaveBeenCalled();
  });
});
