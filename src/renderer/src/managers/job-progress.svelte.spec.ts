import { describe, expect, it } from 'vitest';
import { JobProgress, placeOfJob } from './job-progress.svelte';

describe('JobProgress', () => {
  it('never shows less than before when the total grows mid-job (27% then 17% stays 27%)', () => {
    const progress = new JobProgress();
    expect(progress.update({ id: 'j', done: 27, total: 100, status: 'running' })).toBe(27);
    // Feature extraction ended and the epochs were added to the total: the raw fraction drops to 17%.
    expect(progress.update({ id: 'j', done: 27, total: 160, status: 'running' })).toBe(27);
    expect(progress.update({ id: 'j', done: 80, total: 160, status: 'running' })).toBe(50);
    expect(progress.percent('j')).toBe(50);
    expect(progress.update({ id: 'j', done: 80, total: 160, status: 'succeeded' })).toBe(100);
  });

  it('is unknown until a total arrives, keeps jobs apart and forgets a finished one', () => {
    const progress = new JobProgress();
    expect(progress.update({ id: 'a', done: 0, total: 0, status: 'running' })).toBeNull();
    expect(progress.update({ id: 'b', done: 1, total: 4, status: 'running' })).toBe(25);
    expect(progress.update({ id: 'a', done: 3, total: 4, status: 'running' })).toBe(75);
    expect(progress.percent('b')).toBe(25);
    progress.forget('b');
    expect(progress.percent('b')).toBeNull();
  });

  it('sends each kind of job to the place that shows it', () => {
    expect(placeOfJob('import')).toBe('library');
    expect(placeOfJob('train')).toBe('train');
    expect(placeOfJob('backbone-download')).toBe('settings');
    expect(placeOfJob('kfold')).toBe('runs');
    expect(placeOfJob('eval')).toBe('runs');
  });
});
