import type { presenceRequests } from '../../shared/ipc/presence.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { MyPresenceService } from './my-presence.js';

/** The `presence` channels: my status, note and idle time. */
export function presenceHandlers(myPresence: MyPresenceService): Handlers<ChannelsOf<typeof presenceRequests>> {
  return {
    'presence:getMine': async () => ok(myPresence.current),
    'presence:setMine': async ({ status, note }) => ok(myPresence.set(status, note)),
    'presence:setIdleMinutes': async ({ minutes }) => ok(myPresence.setIdleMinutes(minutes)),
    'presence:reportActivity': async () => ok(myPresence.reportActivity()),
  };
}
