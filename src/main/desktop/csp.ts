import type { Session } from 'electron';
import { IMAGE_SCHEME } from './app-origin';

/**
 * The renderer may run only its own scripts, load images only from itself and the image protocol,
 * and talk to nothing on the network. The same policy is in index.html's meta tag; the header is
 * authoritative and also covers the dev server.
 */
export function contentSecurityPolicy(options: { dev?: boolean } = {}): string {
  const connect = options.dev ? "'self' ws://localhost:* ws://127.0.0.1:*" : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Svelte sets element styles at run time.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${IMAGE_SCHEME}:`,
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Adds the CSP header to every response the session receives (dev server pages included). */
export function installCspHeader(session: Session, policy: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}
