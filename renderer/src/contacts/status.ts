import type { Contact } from '../../../shared/domain/contacts';
import { effectiveStatus, type MyPresence } from '../../../shared/domain/presence';

/**
 * Every state a status icon can show. Each has its own shape as well as its own colour, so that
 * colour-blind people and forced-colours (high contrast) mode can tell them apart.
 */
export type StatusTone = 'available' | 'busy' | 'dnd' | 'away' | 'brb' | 'offline' | 'pending' | 'notSharing' | 'unknown';

/** A contact's icon: what their presence says, or why nothing is known. */
export function contactTone(contact: Contact, connected: boolean): StatusTone {
  if (!connected) return 'unknown';
  switch (contact.subscription) {
    case 'active':
      return contact.presence.availability;
    case 'pending':
      return 'pending';
    case 'rejected':
      return 'notSharing';
    case 'idle':
      return 'offline';
    case 'subscribing':
    case 'failed':
      return 'unknown';
  }
}

/** My own icon: my status as others see it, or unknown while Parley is not connected. */
export function myTone(presence: MyPresence | null, connected: boolean): StatusTone {
  if (!connected) return 'unknown';
  const status = presence ? effectiveStatus(presence) : 'available';
  return status === 'appearOffline' ? 'offline' : status;
}

/** Whether a contact counts as reachable now (sorted first, not dimmed). */
export function isOnline(contact: Contact): boolean {
  return contact.subscription === 'active' && contact.presence.availability !== 'offline';
}
