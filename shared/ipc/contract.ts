/**
 * The one IPC contract between the renderer and main. Electron IPC (preload) and the web-mode
 * WebSocket both carry exactly this: requests on `domain:verb` channels answered with a `Result`,
 * and `onDid*` events pushed from main.
 */

import { accountEvents, accountRequests, type AccountResponses } from './account.js';
import { appEvents, appRequests, type AppResponses } from './app.js';
import { approvalsEvents, approvalsRequests, type ApprovalsResponses } from './approvals.js';
import { callsEvents, callsRequests, type CallsResponses } from './calls.js';
import { chatEvents, chatRequests, type ChatResponses } from './chat.js';
import { contactsEvents, contactsRequests, type ContactsResponses } from './contacts.js';
import type { PayloadOf } from './define.js';
import { presenceEvents, presenceRequests, type PresenceResponses } from './presence.js';
import type { Result } from './result.js';
import { settingsEvents, settingsRequests, type SettingsResponses } from './settings.js';
import type { Infer, Schema } from './schema.js';

export type { ContactPresenceChange } from './contacts.js';

/** Payload schemas, one per request channel, from every domain. Main validates every request against these. */
export const requestSchemas = {
  ...appRequests,
  ...accountRequests,
  ...presenceRequests,
  ...contactsRequests,
  ...approvalsRequests,
  ...settingsRequests,
  ...chatRequests,
  ...callsRequests,
} satisfies Record<string, Schema<unknown>>;

/** What each request channel answers with (inside a `Result`). */
export interface ResponseMap
  extends
    AppResponses,
    AccountResponses,
    PresenceResponses,
    ContactsResponses,
    ApprovalsResponses,
    SettingsResponses,
    ChatResponses,
    CallsResponses {}

/** Every domain's events. */
const eventSpecs = {
  ...appEvents,
  ...accountEvents,
  ...presenceEvents,
  ...contactsEvents,
  ...approvalsEvents,
  ...settingsEvents,
  ...chatEvents,
  ...callsEvents,
};

/** Every request channel. */
export type Channel = keyof typeof requestSchemas;
/** The payload of a request channel. */
export type ParamsOf<C extends Channel> = Infer<(typeof requestSchemas)[C]>;
/** The value a request channel answers with. */
export type ResponseOf<C extends Channel> = ResponseMap[C];

/** Events pushed from main to the renderer, with their payloads. */
export type EventMap = { [E in keyof typeof eventSpecs]: PayloadOf<(typeof eventSpecs)[E]> };

/** Every event name. */
export type EventName = keyof EventMap;

/** The allowlists the preload and the web-mode server check against, derived from the domains. */
export const CHANNELS = Object.keys(requestSchemas) as Channel[];
export const EVENTS = Object.keys(eventSpecs) as EventName[];

/** True when `value` is a known request channel. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(requestSchemas, value);
}

/** True when `value` is a known event name. */
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as readonly string[]).includes(value);
}

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type Args<C extends Channel> = [ParamsOf<C>] extends [undefined]
  ? []
  : undefined extends ParamsOf<C>
    ? [params?: ParamsOf<C>]
    : [params: ParamsOf<C>];

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
