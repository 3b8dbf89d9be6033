/**
 * Where the renderer comes from. In production it is served from out/renderer by our own privileged
 * scheme (a real origin, unlike file://, so CSP 'self' and the IPC sender check mean something);
 * in development from electron-vite's dev server.
 */
export const APP_SCHEME = 'lds-app';
export const APP_HOST = 'studio';
export const IMAGE_SCHEME = 'lds-image';

export function rendererEntryUrl(devServerUrl: string | undefined): string {
  return devServerUrl && devServerUrl.length > 0 ? devServerUrl : `${APP_SCHEME}://${APP_HOST}/index.html`;
}

/** Compares scheme, host and port; WHATWG URL reports origin 'null' for custom schemes, so not that. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host === y.host && x.host !== '';
  } catch {
    return false;
  }
}

/** A predicate: is this URL a page of our renderer (and nothing else)? */
export function rendererUrlMatcher(entryUrl: string): (url: string) => boolean {
  return (url) => sameOrigin(url, entryUrl);
}
