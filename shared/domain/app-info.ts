/** Facts about the running Parley that the UI needs to word things right. */

/** Where a remembered password is kept. */
export type SecretStorage =
  /** Encrypted with the operating system's keychain through Electron's `safeStorage`. */
  | { readonly kind: 'safeStorage' }
  /** A file readable by this user alone (web mode). `location` is its path. */
  | { readonly kind: 'file'; readonly location: string }
  /** Nowhere safe: no keychain (Linux without one falls back to a hard-coded key). Not remembered. */
  | { readonly kind: 'unavailable'; readonly reason: 'noKeychain' | 'keychainNotRunning' };

/** What the renderer learns once at start. */
export interface AppInfo {
  /** `desktop` inside Electron, `web` when served to a browser by the Node engine. */
  readonly mode: 'desktop' | 'web';
  /** Parley's version. */
  readonly version: string;
  /** Where a remembered password goes. */
  readonly secretStorage: SecretStorage;
}
