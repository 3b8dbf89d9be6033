import type { ContractError } from '@shared/contract';

export type ImageSize = 'thumb' | 'full';

/** What the engine's image reader may hand back: raw bytes, or bytes with their type. */
export type ImageBytes = Buffer | Uint8Array | { data: Buffer | Uint8Array; contentType?: string; mime?: string };

export interface ImageReader {
  readImage(id: number, size: ImageSize): Promise<ImageBytes>;
}

export function parseImagePath(pathname: string): { id: number; size: ImageSize } | null {
  const match = /^\/images\/([1-9][0-9]{0,15})\/(thumb|full)$/.exec(pathname);
  if (!match) return null;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) return null;
  return { id, size: match[2] as ImageSize };
}

/** Recognises the formats the engine renders to, so the browser is never left to sniff. */
export function sniffImageType(data: Uint8Array): string {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'image/png';
  if (data[0] === 0x52 && data[1] === 0x49 && data[2] === 0x46 && data[3] === 0x46 && data[8] === 0x57 && data[9] === 0x45) return 'image/webp';
  if (data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) return 'image/gif';
  return 'application/octet-stream';
}

export function normaliseImage(bytes: ImageBytes): { data: Buffer; contentType: string } {
  if (bytes instanceof Uint8Array) {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { data, contentType: sniffImageType(data) };
  }
  const data = Buffer.from(bytes.data.buffer, bytes.data.byteOffset, bytes.data.byteLength);
  return { data, contentType: bytes.contentType ?? bytes.mime ?? sniffImageType(data) };
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
