/** The `presence` domain: my status, note and idle time. */

import { MY_STATUSES, NOTE_MAX, type MyPresence } from '../domain/presence.js';
import { event, type EventSpecs } from './define.js';
import { int, none, obj, oneOf, optional, str } from './schema.js';

export const presenceRequests = {
  'presence:getMine': none,
  'presence:setMine': obj({ status: oneOf(MY_STATUSES), note: optional(str(NOTE_MAX * 4)) }),
  'presence:setIdleMinutes': obj({ minutes: int(0, 24 * 60) }),
  'presence:reportActivity': none,
};

export interface PresenceResponses {
  'presence:getMine': MyPresence;
  'presence:setMine': MyPresence;
  'presence:setIdleMinutes': MyPresence;
  'presence:reportActivity': void;
}

export const presenceEvents = {
  /** My status, note or idle state changed. */
  onDidChangeMyPresence: event<MyPresence>(),
} satisfies EventSpecs;
