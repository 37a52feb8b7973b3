import type { contactsRequests } from '../../shared/ipc/contacts.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { BuddyList } from './buddy-list.js';

/** The `contacts` and `groups` channels. */
export function contactsHandlers(buddies: BuddyList): Handlers<ChannelsOf<typeof contactsRequests>> {
  return {
    'contacts:list': async () => ok(buddies.list()),
    'contacts:add': async (params) => buddies.add(params),
    'contacts:remove': async ({ id }) => buddies.remove(id),
    'contacts:update': async ({ id, ...changes }) => buddies.update(id, changes),
    'contacts:setBlocked': ({ id, blocked }) => buddies.setBlocked(id, blocked),
    'contacts:askAgain': async ({ id }) => buddies.askAgain(id),
    'groups:create': async ({ name }) => buddies.createGroup(name),
    'groups:rename': async ({ id, name }) => buddies.renameGroup(id, name),
    'groups:delete': async ({ id }) => buddies.deleteGroup(id),
    'groups:setCollapsed': async ({ id, collapsed }) => buddies.setGroupCollapsed(id, collapsed),
  };
}
