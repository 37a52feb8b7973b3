/**
 * The one IPC contract between the renderer and main. Electron IPC (preload) and the web-mode
 * WebSocket both carry exactly this: requests on `domain:verb` channels answered with a `Result`,
 * and `onDid*` events pushed from main.
 */

import { ACCOUNT_LIMITS, type SavedAccount } from '../domain/account.js';
import type { AppInfo } from '../domain/app-info.js';
import type { ConnectionState } from '../domain/connection.js';
import {
  CONTACT_NAME_MAX,
  GROUP_NAME_MAX,
  type ApprovalAnswer,
  type ApprovalRequest,
  type Contact,
  type ContactGroup,
  type ContactList,
} from '../domain/contacts.js';
import { MY_STATUSES, NOTE_MAX, type MyPresence, type Presence, type SubscriptionStatus } from '../domain/presence.js';
import type { Result } from './result.js';
import { bool, int, none, obj, oneOf, optional, str, type Infer, type Schema } from './schema.js';

const id = int(1, Number.MAX_SAFE_INTEGER);
const ANSWERS: readonly ApprovalAnswer[] = ['accept', 'acceptAndAdd', 'decline', 'block'];

/** Payload schemas, one per request channel. Main validates every request against these. */
export const requestSchemas = {
  'app:getInfo': none,
  'account:get': none,
  'account:signIn': obj({
    address: str(ACCOUNT_LIMITS.address),
    password: str(ACCOUNT_LIMITS.password),
    server: str(ACCOUNT_LIMITS.server),
    authUser: optional(str(ACCOUNT_LIMITS.authUser)),
    displayName: optional(str(ACCOUNT_LIMITS.displayName)),
    rememberPassword: bool,
    xcapRoot: optional(str(ACCOUNT_LIMITS.xcapRoot)),
  }),
  'account:signOut': none,
  'connection:get': none,
  'connection:check': none,
  'presence:getMine': none,
  'presence:setMine': obj({ status: oneOf(MY_STATUSES), note: optional(str(NOTE_MAX * 4)) }),
  'presence:setIdleMinutes': obj({ minutes: int(0, 24 * 60) }),
  'presence:reportActivity': none,
  'contacts:list': none,
  'contacts:add': obj({ address: str(ACCOUNT_LIMITS.address), displayName: optional(str(CONTACT_NAME_MAX)), groupId: optional(id) }),
  'contacts:remove': obj({ id }),
  'contacts:update': obj({ id, displayName: optional(str(CONTACT_NAME_MAX)), groupId: optional(id) }),
  'contacts:setBlocked': obj({ id, blocked: bool }),
  'groups:create': obj({ name: str(GROUP_NAME_MAX * 2) }),
  'groups:rename': obj({ id, name: str(GROUP_NAME_MAX * 2) }),
  'groups:delete': obj({ id }),
  'approvals:list': none,
  'approvals:answer': obj({ uri: str(ACCOUNT_LIMITS.address + 8), answer: oneOf(ANSWERS) }),
} satisfies Record<string, Schema<unknown>>;

/** What each request channel answers with (inside a `Result`). */
export interface ResponseMap {
  'app:getInfo': AppInfo;
  'account:get': SavedAccount | null;
  'account:signIn': ConnectionState;
  'account:signOut': ConnectionState;
  'connection:get': ConnectionState;
  'connection:check': ConnectionState;
  'presence:getMine': MyPresence;
  'presence:setMine': MyPresence;
  'presence:setIdleMinutes': MyPresence;
  'presence:reportActivity': void;
  'contacts:list': ContactList;
  'contacts:add': Contact;
  'contacts:remove': void;
  'contacts:update': Contact;
  'contacts:setBlocked': Contact;
  'groups:create': ContactGroup;
  'groups:rename': ContactGroup;
  'groups:delete': void;
  'approvals:list': ApprovalRequest[];
  'approvals:answer': void;
}

/** One contact's presence or subscription changed. */
export interface ContactPresenceChange {
  readonly id: number;
  readonly subscription: SubscriptionStatus;
  readonly presence: Presence;
}

/** Every request channel. */
export type Channel = keyof typeof requestSchemas;
/** The payload of a request channel. */
export type ParamsOf<C extends Channel> = Infer<(typeof requestSchemas)[C]>;
/** The value a request channel answers with. */
export type ResponseOf<C extends Channel> = ResponseMap[C];

/** Events pushed from main to the renderer. */
export interface EventMap {
  /** The connection state changed (signing in, registered, reconnecting, signed out). */
  onDidChangeConnection: ConnectionState;
  /** My status, note or idle state changed. */
  onDidChangeMyPresence: MyPresence;
  /** The buddy list changed shape (contacts or groups added, removed, renamed, moved, blocked). */
  onDidChangeContacts: ContactList;
  /** Some contacts' presence changed (batched). */
  onDidChangeContactPresence: readonly ContactPresenceChange[];
  /** The approval inbox changed. */
  onDidChangeApprovals: readonly ApprovalRequest[];
  /** Someone new asked to see my presence (for a notification). */
  onDidReceiveApprovalRequest: ApprovalRequest;
}

/** Every event name. */
export type EventName = keyof EventMap;

/** The allowlists the preload and the web-mode server check against. */
export const CHANNELS = Object.keys(requestSchemas) as Channel[];
export const EVENTS: readonly EventName[] = [
  'onDidChangeConnection',
  'onDidChangeMyPresence',
  'onDidChangeContacts',
  'onDidChangeContactPresence',
  'onDidChangeApprovals',
  'onDidReceiveApprovalRequest',
];

/** True when `value` is a known request channel. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(requestSchemas, value);
}

/** True when `value` is a known event name. */
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as readonly string[]).includes(value);
}

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type Args<C extends Channel> = ParamsOf<C> extends undefined ? [] : [params: ParamsOf<C>];

/**
 * The domain-shaped API the renderer uses (`parley.account.signIn({...})`), derived from the
 * contract so that it cannot drift from it.
 */
export type ParleyApi = {
  readonly [D in DomainOf<Channel>]: {
    readonly [C in Channel as C extends `${D}:${infer V}` ? V : never]: (...args: Args<C>) => Promise<Result<ResponseOf<C>>>;
  };
} & {
  /** Listens to an event; returns the function that stops listening. */
  readonly on: <E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) => () => void;
};

/** The two primitives a transport provides; `createParleyApi` builds the rest. */
export interface ParleyTransport {
  invoke(channel: Channel, params: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** Builds the domain-shaped API over a transport (Electron IPC or the web-mode WebSocket). */
export function createParleyApi(transport: ParleyTransport): ParleyApi {
  const api: Record<string, Record<string, (params?: unknown) => Promise<Result<unknown>>>> = {};
  for (const channel of CHANNELS) {
    const [domain, verb] = channel.split(':') as [string, string];
    (api[domain] ??= {})[verb] = (params?: unknown) => transport.invoke(channel, params);
  }
  const on = (event: EventName, listener: (payload: unknown) => void) => transport.subscribe(event, listener);
  return Object.freeze({ ...api, on }) as unknown as ParleyApi;
}
