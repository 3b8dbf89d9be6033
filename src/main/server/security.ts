import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { contentSecurityPolicy, isMapFramePath } from '../serving/serving';

export const COOKIE_NAME = 'lds_token';

/**
 * Cookies ignore ports, so two `lds serve` on one machine would overwrite each other's plain
 * lds_token: each server sets its own port-named cookie (and still reads the plain name, which
 * scripts send by hand).
 */
export function cookieName(port: number): string {
  return `${COOKIE_NAME}_${port}`;
}

/** 32 random bytes, URL-safe: unguessable by another local process or a web page. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The value of one cookie, or null. A value that is not valid percent-encoding cannot be our token
 * (tokens are base64url), so it reads as absent instead of throwing on an attacker's header.
 */
export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header === '') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * The request target as a URL on our own origin, or null when it is not origin-form (`/path?query`).
 * Browsers only send origin-form; an absolute or authority target (`GET http://x:99999/ws`) is
 * refused rather than parsed, and `//host` stays a path instead of becoming another host.
 */
export function parseTarget(target: string | undefined, port: number): URL | null {
  if (typeof target !== 'string' || !target.startsWith('/') || target.length > 8192) return null;
  try {
    return new URL(`http://127.0.0.1:${port}${target}`);
  } catch {
    return null;
  }
}

export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * The Host header must name our loopback address and port: a DNS-rebinding page reaches us under
 * its own host name, which this refuses.
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A browser always sends Origin on WebSocket upgrades and cross-site requests; it must be ours. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The map frame's page may be framed by our own pages and may eval (regl); everything else as above. */
const MAP_FRAME_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'Content-Security-Policy': contentSecurityPolicy({ mapFrame: true }),
  'X-Frame-Options': 'SAMEORIGIN',
};

export function securityHeadersFor(pathname: string): Record<string, string> {
  return isMapFramePath(pathname) ? MAP_FRAME_HEADERS : SECURITY_HEADERS;
}
