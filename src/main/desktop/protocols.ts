import type { Protocol } from 'electron';
import { imageBody, imageCacheControl, readBundleFile, type ImageBytes, type ImageSize, type ReadImage } from '../serving/serving';
import { APP_HOST, APP_SCHEME, IMAGE_SCHEME } from './app-origin';

/** Both schemes must be declared before app 'ready'; standard + secure gives them real origins. */
export function privilegedSchemes(): Electron.CustomScheme[] {
  return [
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ];
}

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
}

/**
 * `lds-image://thumb/<id>` or `lds-image://full/<id>`, id a positive integer, nothing else. The
 * renderer never names a file: traversal, absolute paths and odd hosts all fall through to 404.
 */
export function parseImageUrl(url: string): { id: number; size: ImageSize } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${IMAGE_SCHEME}:` || parsed.username || parsed.password || parsed.port) return null;
  if (parsed.hostname !== 'thumb' && parsed.hostname !== 'full') return null;
  const match = /^\/([1-9][0-9]{0,15})\/?$/.exec(parsed.pathname);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? { id, size: parsed.hostname } : null;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export async function handleImageRequest(url: string, readImage: ReadImage, allowOrigin: string, signal?: AbortSignal): Promise<Response> {
  const target = parseImageUrl(url);
  if (!target) return notFound();
  let bytes: ImageBytes;
  try {
    bytes = await readImage(target.id, target.size, signal);
  } catch (error) {
    const code = errorCode(error);
    // Unknown ids, no open project and missing files are all simply "no such image" to the page.
    if (code === 'not_found' || code === 'no_project' || code === 'ENOENT') return notFound();
    console.error(`lds-image: reading image ${target.id} (${target.size}) failed:`, error);
    return new Response('could not read the image', { status: 500, headers: { 'Content-Type': 'text/plain' } });
  }
  const { data, contentType } = imageBody(bytes);
  return new Response(new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Cache-Control': imageCacheControl(target.size),
      'Access-Control-Allow-Origin': allowOrigin,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/** Serves the built renderer (out/renderer) under lds-app://studio/, refusing anything outside it. */
export async function handleAppRequest(url: string, rendererDir: string, csp: string | ((url: string) => string)): Promise<Response> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return notFound();
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return notFound();
  const file = await readBundleFile(rendererDir, parsed.pathname);
  if (!file) return notFound();
  return new Response(new Uint8Array(file.body), {
    status: 200,
    headers: {
      'Content-Type': file.contentType,
      'Content-Security-Policy': typeof csp === 'string' ? csp : csp(url),
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export interface ProtocolOptions {
  rendererDir: string;
  csp: string | ((url: string) => string);
  readImage: ReadImage;
  appOrigin: string;
}

/** Must run after app 'ready', on the session the window uses. */
export function handleProtocols(protocol: Protocol, options: ProtocolOptions): void {
  protocol.handle(APP_SCHEME, (request) => handleAppRequest(request.url, options.rendererDir, options.csp));
  protocol.handle(IMAGE_SCHEME, (request) => handleImageRequest(request.url, options.readImage, options.appOrigin, request.signal));
}
