/** Presence as people see it: the states Lync and Skype users know, and a personal note. */

import { t } from '../i18n/format.js';

/** What a contact shows. `offline` also covers "no document" and a closed basic status. */
export type Availability = 'available' | 'busy' | 'dnd' | 'brb' | 'away' | 'offline';

/** What I can choose. `appearOffline` publishes a closed status: others see Offline. */
export type MyStatus = 'available' | 'busy' | 'dnd' | 'brb' | 'away' | 'appearOffline';

/** Every status I can choose, in menu order. */
export const MY_STATUSES: readonly MyStatus[] = ['available', 'busy', 'dnd', 'brb', 'away', 'appearOffline'];

/** How each state reads (from the catalogue, in the language of the moment). */
export function availabilityLabel(status: Availability | MyStatus): string {
  return t(`presence.${status}`);
}

/** The longest note Parley publishes or shows. */
export const NOTE_MAX = 280;

/** A presentity's state: availability and note. */
export interface Presence {
  readonly availability: Availability;
  readonly note: string;
  /** On the phone (RPID `on-the-phone`, RFC 4480 §3.2): shown as "In a call". */
  readonly inCall?: boolean;
}

/** How a contact's presence reads ("In a call" rather than plain Busy while they are on the phone). */
export function presenceText(presence: Presence): string {
  return presence.inCall && presence.availability === 'busy' ? t('presence.inCall') : availabilityLabel(presence.availability);
}

/** My presence: what I chose, what others see now, and whether idle made me Away. */
export interface MyPresence {
  /** The status I chose. */
  readonly status: MyStatus;
  readonly note: string;
  /** True while Parley shows me Away because I am idle (my chosen status was Available). */
  readonly idle: boolean;
  /** Minutes without input before Away (0: never). */
  readonly idleMinutes: number;
  /** True while I am in a call: others see "In a call" (unless I chose Do not disturb or Appear offline). */
  readonly inCall?: boolean;
  /** True when the server does not carry my status to anyone (no presence service): the page says so. */
  readonly notShared?: boolean;
}

/** What others see of me: idle turns Available into Away, and never overrides a status I chose. */
export function effectiveStatus(presence: Pick<MyPresence, 'status' | 'idle'>): MyStatus {
  return presence.idle && presence.status === 'available' ? 'away' : presence.status;
}

/** My presence in words ("Away (idle)" when idle made me Away). */
export function presenceLabel(presence: Pick<MyPresence, 'status' | 'idle'>): string {
  const shown = effectiveStatus(presence);
  return shown === presence.status ? availabilityLabel(shown) : t('presence.idle', { status: availabilityLabel(shown) });
}

/**
 * Where my subscription to a contact's presence stands (RFC 6665 §4.1.3, RFC 3856):
 *
 * ```
 * subscribing ──NOTIFY pending──► pending ("Awaiting approval")
 *      │                              │ NOTIFY active
 *      └──────NOTIFY active──────────►active ──► terminated;reason=rejected ──► rejected ("Not sharing presence")
 *      │ 4xx/5xx, no NOTIFY                                     (final: no re-subscribe loop)
 *      └──► failed (retried with backoff)
 * ```
 * `idle`: not subscribed (signed out, or the contact is blocked).
 */
export type SubscriptionStatus = 'idle' | 'subscribing' | 'pending' | 'active' | 'rejected' | 'failed';
