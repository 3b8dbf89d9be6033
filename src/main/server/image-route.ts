import type { ContractError } from '@shared/contract';
import type { ImageSize, ReadImage } from '../serving/serving';

export interface ImageReader {
  readImage: ReadImage;
}

export function parseImagePath(pathname: string): { id: number; size: ImageSize } | null {
  const match = /^\/images\/([1-9][0-9]{0,15})\/(thumb|full)$/.exec(pathname);
  if (!match) return null;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) return null;
  return { id, size: match[2] as ImageSize };
}

export function statusForError(error: ContractError): number {
  switch (error.code) {
    case 'not_found':
      return 404;
    case 'no_project':
    case 'conflict':
      return 409;
    case 'invalid_input':
      return 400;
    case 'forbidden':
      return 403;
    default:
      return 500;
  }
}
