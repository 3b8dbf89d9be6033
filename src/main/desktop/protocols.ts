import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, IMAGE_SCHEME } from './app-origin';

export type ImageSize = 'thumb' | 'full';
export type ImageBytes = Uint8Array | { data: Uint8Array; contentType?: string; mime?: string };
/** The engine's image reader: throws (EngineError not_found / no_project) for ids it cannot serve. */
export type ReadImage = (id: number, size: ImageSize) => Promise<ImageBytes>;

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

function sniffImageType(data: Uint8Array): string {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'image/png';
  if (data[0] === 0x52 && data[1] === 0x49 && data[2] === 0x46 && data[3] === 0x46 && data[8] === 0x57) return 'image/webp';
  if (data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) return 'image/gif';
  return 'application/octet-stream';
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export async function handleImageRequest(url: string, readImage: ReadImage, allowOrigin: string): Promise<Response> {
  const target = parseImageUrl(url);
  if (!target) return notFound();
  let bytes: ImageBytes;
  try {
    bytes = await readImage(target.id, target.size);
  } catch (error) {
    const code = errorCode(error);
    // Unknown ids, no open project and missing files are all simply "no such image" to the page.
    if (code === 'not_found' || code === 'no_project' || code === 'ENOENT') return notFound();
    console.error(`lds-image: reading image ${target.id} (${target.size}) failed:`, error);
    return new Response('could not read the image', { status: 500, headers: { 'Content-Type': 'text/plain' } });
  }
  const data = bytes instanceof Uint8Array ? bytes : bytes.data;
  const contentType = bytes instanceof Uint8Array ? sniffImageType(data) : (bytes.contentType ?? bytes.mime ?? sniffImageType(data));
  return new Response(new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Cache-Control': target.size === 'thumb' ? 'private, max-age=60' : 'no-store',
      'Access-Control-Allow-Origin': allowOrigin,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves the built renderer (out/renderer) under lds-app://studio/, refusing anything outside it. */
export async function handleAppRequest(url: string, rendererDir: string, csp: string): Promise<Response> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return notFound();
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return notFound();
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return notFound();
  }
  if (pathname.includes('\0')) return notFound();
  const relativePath = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = resolve(rendererDir);
  const file = resolve(root, relativePath);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return notFound();
  try {
    // A symlink inside the renderer folder must not lead out of it either.
    const real = await realpath(file);
    const realRoot = await realpath(root);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return notFound();
    const body = await readFile(real);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': MIME[extname(real).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return notFound();
  }
}

export interface ProtocolOptions {
  rendererDir: string;
  csp: string;
  readImage: ReadImage;
  appOrigin: string;
}

/** Must run after app 'ready', on the session the window uses. */
export function handleProtocols(protocol: Protocol, options: ProtocolOptions): void {
  protocol.handle(APP_SCHEME, (request) => handleAppRequest(request.url, options.rendererDir, options.csp));
  protocol.handle(IMAGE_SCHEME, (request) => handleImageRequest(request.url, options.readImage, options.appOrigin));
}
