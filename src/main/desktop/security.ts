import type { Session, WebContents, WebPreferences } from 'electron';

/** The only webPreferences the studio window is ever created with. */
export function safeWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface HardenOptions {
  isTrustedUrl: (url: string) => boolean;
  /** https links the page asks to open go to the user's browser, never into a window of ours. */
  openExternal: (url: string) => void;
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Keeps a webContents on our own pages: no navigation or redirect elsewhere, no new windows, no
 * <webview>. Applied to every webContents the app creates, not only the main window's.
 */
export function hardenWebContents(contents: WebContents, options: HardenOptions): void {
  // Electron passes the target both as event.url and (deprecated) as the second argument.
  contents.on('will-navigate', (event, url) => {
    if (!options.isTrustedUrl(event.url ?? url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!options.isTrustedUrl(event.url ?? url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttps(url)) options.openExternal(url);
    return { action: 'deny' };
  });
}

/** Camera, microphone, notifications-from-the-page, geolocation…: the studio needs none of them. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Adds the CSP header (serving/contentSecurityPolicy) to every response the session receives, dev server pages included. */
export function installCspHeader(session: Session, policy: string | ((url: string) => string)): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [typeof policy === 'string' ? policy : policy(details.url)];
    callback({ responseHeaders: headers });
  });
}
