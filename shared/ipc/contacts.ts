/** The `contacts` and `groups` domains: the buddy list and the presence of the people on it. */

import { ACCOUNT_LIMITS } from '../domain/account.js';
import { CONTACT_NAME_MAX, GROUP_NAME_MAX, type Contact, type ContactGroup, type ContactList } from '../domain/contacts.js';
import type { Presence, SubscriptionStatus } from '../domain/presence.js';
import { event, type EventSpecs } from './define.js';
import { bool, int, none, obj, optional, str } from './schema.js';

const id = int(1, Number.MAX_SAFE_INTEGER);
/** Longest phone number as typed (spaces, brackets and dashes included). */
const PHONE_TYPED_MAX = 40;

export const contactsRequests = {
  'contacts:list': none,
  'contacts:add': obj({ address: str(ACCOUNT_LIMITS.address), displayName: optional(str(CONTACT_NAME_MAX)), groupId: optional(id) }),
  'contacts:remove': obj({ id }),
  /** Renames, moves, or sets phone numbers (as typed: national in my country, or international; '' clears one). */
  'contacts:update': obj({
    id,
    displayName: optional(str(CONTACT_NAME_MAX)),
    groupId: optional(id),
    phones: optional(obj({ work: optional(str(PHONE_TYPED_MAX)), mobile: optional(str(PHONE_TYPED_MAX)) })),
  }),
  'contacts:setBlocked': obj({ id, blocked: bool }),
  /** Asks again to see a contact who is not sharing presence (they may have changed their mind). */
  'contacts:askAgain': obj({ id }),
  'groups:create': obj({ name: str(GROUP_NAME_MAX * 2) }),
  'groups:rename': obj({ id, name: str(GROUP_NAME_MAX * 2) }),
  'groups:delete': obj({ id }),
  /** Folds a group away in the list, or opens it (remembered). */
  'groups:setCollapsed': obj({ id, collapsed: bool }),
};

export interface ContactsResponses {
  'contacts:list': ContactList;
  'contacts:add': Contact;
  'contacts:remove': void;
  'contacts:update': Contact;
  'contacts:setBlocked': Contact;
  'contacts:askAgain': void;
  'groups:create': ContactGroup;
  'groups:rename': ContactGroup;
  'groups:delete': void;
  'groups:setCollapsed': void;
}

/** One contact's presence or subscription changed. */
export interface ContactPresenceChange {
  readonly id: number;
  readonly subscription: SubscriptionStatus;
  readonly presence: Presence;
}

export const contactsEvents = {
  /** The buddy list changed shape (contacts or groups added, removed, renamed, moved, blocked). */
  onDidChangeContacts: event<ContactList>(),
  /** Some contacts' presence changed (batched). */
  onDidChangeContactPresence: event<readonly ContactPresenceChange[]>(),
} satisfies EventSpecs;
