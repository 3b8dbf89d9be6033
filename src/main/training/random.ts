// The generator lives in src/shared so evaluation, tests and the renderer draw the same streams.
export { seededRandom, shuffled } from '@shared/random';
