import type { ResizeMode } from '@shared/contract';

/** How the project's pictures become the model's square input, in words (Augment and Train show it). */
export function resizeModeText(mode: ResizeMode): string {
  return mode === 'centre-crop'
    ? 'Pictures are cropped to their centre square, then resized (as Teachable Machine does); chosen when the project was made.'
    : 'Pictures are stretched whole to a square (as Keras flow_from_directory does); chosen when the project was made.';
}
