import type { MenuItemConstructorOptions } from 'electron';
import type { ConnectionState } from '../../shared/domain/connection.js';
import {
  availabilityLabel,
  effectiveStatus,
  MY_STATUSES,
  presenceLabel,
  type MyPresence,
  type MyStatus,
} from '../../shared/domain/presence.js';
import { t } from '../../shared/i18n/format.js';

export type TrayIconVariant = 'available' | 'busy' | 'away' | 'reconnecting' | 'offline';

/** The tray icon variant (assets/tray-<variant>.png). */
export function trayIconVariant(state: ConnectionState, presence: MyPresence): TrayIconVariant {
  switch (state.status) {
    case 'registered': {
      const status = effectiveStatus(presence);
      if (status === 'busy' || status === 'dnd') return 'busy';
      if (status === 'away' || status === 'brb') return 'away';
      if (status === 'appearOffline') return 'offline';
      return 'available';
    }
    case 'reconnecting':
    case 'signingIn':
      return 'reconnecting';
    case 'signingOut':
    case 'signedOut':
      return 'offline';
  }
}

/** What the tray says, e.g. "alice@example.com — Busy". */
export function trayStatusLabel(state: ConnectionState, presence: MyPresence): string {
  switch (state.status) {
    case 'signedOut':
      return t('tray.signedOut');
    case 'registered':
      return t('tray.status', { address: state.identity.address, status: presenceLabel(presence) });
    default:
      return t('tray.status', { address: state.identity.address, status: t(`tray.${state.status}`) });
  }
}

export interface TrayActions {
  open(): void;
  setStatus(status: MyStatus): void;
  signOut(): void;
  quit(): void;
}

/** "3 missed calls", or empty. */
export function missedLabel(missed: number): string {
  return missed <= 0 ? '' : t('calls.missed.count', { count: missed });
}

/** "2 missed calls from people not in your contacts", or empty. */
export function strangersMissedLabel(missed: number): string {
  return missed <= 0 ? '' : t('calls.missed.strangers', { count: missed });
}

export function unreadLabel(unread: number): string {
  return unread <= 0 ? '' : t('tray.unread', { count: unread });
}

/**
 * The tray menu: the status line, unread messages (opening Parley), my status to choose (while
 * signed in), Open, Sign out, Quit.
 */
export function trayMenuTemplate(
  state: ConnectionState,
  presence: MyPresence,
  actions: TrayActions,
  unread = 0,
  missed = 0,
  missedFromStrangers = 0,
): MenuItemConstructorOptions[] {
  const signedIn = state.status === 'registered' || state.status === 'reconnecting' || state.status === 'signingIn';
  const statusItems: MenuItemConstructorOptions[] = signedIn
    ? [
        ...MY_STATUSES.map((status): MenuItemConstructorOptions => ({
          id: `status:${status}`,
          label: availabilityLabel(status),
          type: 'radio',
          checked: presence.status === status,
          click: () => actions.setStatus(status),
        })),
        { type: 'separator' },
      ]
    : [];
  return [
    { id: 'status', label: trayStatusLabel(state, presence), enabled: false },
    ...(unread > 0 ? [{ id: 'unread', label: unreadLabel(unread), click: () => actions.open() }] : []),
    ...(missed > 0 ? [{ id: 'missed', label: missedLabel(missed), click: () => actions.open() }] : []),
    ...(missedFromStrangers > 0
      ? [{ id: 'missedFromStrangers', label: strangersMissedLabel(missedFromStrangers), click: () => actions.open() }]
      : []),
    { type: 'separator' },
    ...statusItems,
    { id: 'open', label: t('tray.open'), click: () => actions.open() },
    { id: 'signOut', label: t('me.signOut'), enabled: signedIn, click: () => actions.signOut() },
    { type: 'separator' },
    { id: 'quit', label: t('tray.quit'), click: () => actions.quit() },
  ];
}
