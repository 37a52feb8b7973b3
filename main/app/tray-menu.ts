import type { MenuItemConstructorOptions } from 'electron';
import type { ConnectionState } from '../../shared/domain/connection.js';

/** The tray icon variant for a connection state (assets/tray-<variant>.png). */
export function trayIconVariant(state: ConnectionState): 'available' | 'reconnecting' | 'offline' {
  switch (state.status) {
    case 'registered':
      return 'available';
    case 'reconnecting':
    case 'signingIn':
      return 'reconnecting';
    case 'signingOut':
    case 'signedOut':
      return 'offline';
  }
}

/** What the tray says about the status, e.g. "alice@example.com — Available". */
export function trayStatusLabel(state: ConnectionState): string {
  switch (state.status) {
    case 'registered':
      return `${state.identity.address} — Available`;
    case 'reconnecting':
      return `${state.identity.address} — Reconnecting…`;
    case 'signingIn':
      return `${state.identity.address} — Signing in…`;
    case 'signingOut':
      return `${state.identity.address} — Signing out…`;
    case 'signedOut':
      return 'Signed out';
  }
}

export interface TrayActions {
  open(): void;
  signOut(): void;
  quit(): void;
}

/** The tray menu: the status (read-only for now), Open, Sign out, Quit. */
export function trayMenuTemplate(state: ConnectionState, actions: TrayActions): MenuItemConstructorOptions[] {
  const signedIn = state.status === 'registered' || state.status === 'reconnecting' || state.status === 'signingIn';
  return [
    { id: 'status', label: trayStatusLabel(state), enabled: false },
    { type: 'separator' },
    { id: 'open', label: 'Open Parley', click: () => actions.open() },
    { id: 'signOut', label: 'Sign out', enabled: signedIn, click: () => actions.signOut() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Parley', click: () => actions.quit() },
  ];
}
