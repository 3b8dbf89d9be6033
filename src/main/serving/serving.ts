/**
 * What browser mode (server/) and the desktop protocols (desktop/protocols.ts) both serve: the built
 * renderer and images by id, with one content-type table, one image sniffer and one content policy.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export type ImageSize = 'thumb' | 'full';
/** What the engine's image reader hands back: raw bytes, or bytes with their type. */
export type ImageBytes = Uint8Array | { data: Uint8Array; contentType?: string; mime?: string };
/**
 * The engine's image reader: throws (EngineError not_found / no_project) for ids it cannot serve.
 * `signal` aborts when the asker went away, so a thumbnail still queued is not made for nobody.
 */
export type ReadImage = (id: number, size: ImageSize, signal?: AbortSignal) => Promise<ImageBytes>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
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

/** Recognises the formats the engine renders to, so the browser is never left to sniff. */
export function sniffImageType(data: Uint8Array): string {
  const ascii = (from: number, to: number): string => String.fromCharCode(...data.subarray(from, to));
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 3) === 'GIF') return 'image/gif';
  return 'application/octet-stream';
}

/** The reader's answer as bytes and the type to send them with (the reader's own type wins). */
export function imageBody(bytes: ImageBytes): { data: Buffer; contentType: string } {
  const raw = bytes instanceof Uint8Array ? bytes : bytes.data;
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return { data, contentType: (bytes instanceof Uint8Array ? undefined : (bytes.contentType ?? bytes.mime)) ?? sniffImageType(data) };
}

/** A thumbnail can be regenerated: revalidate soon; a full image is read from the user's file each time. */
export function imageCacheControl(size: ImageSize): string {
  return size === 'thumb' ? 'private, max-age=60' : 'no-store';
}

/**
 * A file of the built renderer by URL path, or null. Anything outside rendererDir (.., encoded
 * separators, absolute paths, NUL, a symlink that leads out) is refused.
 */
export async function readBundleFile(rendererDir: string, urlPath: string): Promise<{ body: Buffer; contentType: string } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, ''));
  if (!file.startsWith(root + sep)) return null;
  try {
    // A symlink inside the renderer folder must not lead out of it either.
    const [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
    if (!real.startsWith(realRoot + sep) || !(await stat(real)).isFile()) return null;
    return { body: await readFile(real), contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

/**
 * The dataset map's scatter page, framed by the renderer. regl (under regl-scatterplot) compiles its
 * draw calls with `new Function`, which the renderer's policy forbids; this one page may, and it
 * runs nothing but the scatter code, fed numbers by its parent (docs/decisions.md, dataset map).
 */
export const MAP_FRAME_PAGE = 'map-frame.html';

/** Whether a request path (or URL) is the map frame's page. */
export function isMapFramePath(path: string): boolean {
  let pathname = path;
  try {
    pathname = new URL(path).pathname;
  } catch {
    // Already a path.
  }
  return pathname === `/${MAP_FRAME_PAGE}`;
}

/**
 * The one policy for the renderer bundle, however it is served: only its own scripts, images from
 * itself (and the desktop's image scheme), and no network beyond its own origin. `mapFrame`: the
 * policy of the map frame's page, the same but for `'unsafe-eval'` and being framed by its own origin.
 */
export function contentSecurityPolicy(options: { imageScheme?: string; dev?: boolean; mapFrame?: boolean } = {}): string {
  return [
    "default-src 'none'",
    options.mapFrame ? "script-src 'self' 'unsafe-eval'" : "script-src 'self'",
    // Svelte sets element styles at run time.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${options.imageScheme ? ` ${options.imageScheme}:` : ''}`,
    "font-src 'self' data:",
    // The dev server's hot reload talks over a WebSocket of its own.
    `connect-src 'self'${options.dev ? ' ws://localhost:* ws://127.0.0.1:*' : ''}`,
    "worker-src 'self' blob:",
    "media-src 'none'",
    "object-src 'none'",
    options.mapFrame ? "frame-src 'none'" : "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    options.mapFrame ? "frame-ancestors 'self'" : "frame-ancestors 'none'",
  ].join('; ');
}
