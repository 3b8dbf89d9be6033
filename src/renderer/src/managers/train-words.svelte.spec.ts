import { describe, expect, test } from 'vitest';
import { fieldProblem } from './train.svelte';
import { describePhase, formatDuration } from './runs.svelte';

describe('Train field problems in words (issue 16, item 14)', () => {
  test('an empty or wrong field says what to enter, never a schema message', () => {
    expect(fieldProblem('epochs', '')).toBe('Enter a number of epochs');
    expect(fieldProblem('epochs', '  ')).toBe('Enter a number of epochs');
    expect(fieldProblem('epochs', 'ten')).toBe('Enter a number of epochs: “ten” is not a number');
    expect(fieldProblem('epochs', '2.5')).toBe('Enter a whole number');
    expect(fieldProblem('epochs', '0')).toBe('Enter a number of epochs from 1 to 1,000');
    expect(fieldProblem('learningRate', '0')).toBe('Enter a learning rate above 0 (e.g. 0.001)');
    expect(fieldProblem('batchSize', '32')).toBeNull();
    expect(fieldProblem('augment', '')).toBeNull();
  });
});

describe('the Runs table phase and duration (issue 16, item 13)', () => {
  const running = { status: 'running' as const, config: {} };
  test('a live run says what it is doing, not "queued"', () => {
    expect(describePhase(running, { phase: 'features', done: 340, total: 2000, etaSeconds: null, message: 'extracting features' })).toBe(
      'extracting features 340/2000',
    );
    expect(describePhase(running, { phase: 'training', done: 5, total: 80, etaSeconds: 3, message: 'epoch 3/40, batch 1/2' })).toBe(
      'epoch 3 of 40',
    );
    expect(describePhase({ status: 'queued', config: {} }, null)).toBe('waiting to start');
    expect(describePhase({ status: 'succeeded', config: {} }, null)).toBe('succeeded');
  });
  test('durations read like a person writes them', () => {
    expect(formatDuration(14.2)).toBe('14 s');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(4000)).toBe('1 h 7 min');
  });
});
