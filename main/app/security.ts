import { shell, type Session, type WebContents, type WebFrameMain, type WebPreferences } from 'electron';

/**
 * Security for every window, written once: web preferences, navigation and window-open guards,
 * permissions, the IPC sender check and the `openExternal` allowlist. The CSP lives beside the
 * engine (`main/csp.ts`) because web mode serves the same one.
 */

/** Where the renderer is served from (a privileged standard scheme, see `protocol.ts`). */
export const APP_ORIGIN = 'app://parley';

/** Schemes `shell.openExternal` may receive; anything else from the page is dropped. */
export const EXTERNAL_SCHEMES: readonly string[] = ['https:', 'mailto:'];

/**
 * Permissions the renderer may have: microphone/camera for calls, the speaker chosen in Settings
 * (`setSinkId`), desktop notifications.
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'speaker-selection', 'notifications']);

/** The only web preferences a Parley window gets. */
export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // Middle-click (auxclick) could open a link in a new window behind the window-open guard's back.
    disableBlinkFeatures: 'Auxclick',
    // A call window opens without a click in it and must ring at once (Electron's default, said
    // here so that it cannot change under us).
    autoplayPolicy: 'no-user-gesture-required',
    devTools,
  };
}

/** True for URLs Parley hands to the system browser or mail client. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    return EXTERNAL_SCHEMES.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** No navigation away from the app, no new windows, no webviews; safe links go to the system browser. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Grants only the permissions calls and notifications need, and only to our own origin. */
export function installPermissionPolicy(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && details.requestingUrl.startsWith(`${APP_ORIGIN}/`));
  });
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) => ALLOWED_PERMISSIONS.has(permission) && requestingOrigin === APP_ORIGIN,
  );
}

/** IPC is answered only for the top frame of our own page (not an iframe, not another origin). */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    // Not `URL.origin`: WHATWG URL reports "null" for schemes it does not know as special.
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
