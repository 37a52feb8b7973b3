/**
 * The one IPC contract between the renderer and main. Electron IPC (preload) and the web-mode
 * WebSocket both carry exactly this: requests on `domain:verb` channels answered with a `Result`,
 * and `onDid*` events pushed from main.
 */

import { ACCOUNT_LIMITS, type SavedAccount } from '../domain/account.js';
import type { AppInfo } from '../domain/app-info.js';
import type { ConnectionState } from '../domain/connection.js';
import type { Result } from './result.js';
import { bool, none, obj, optional, str, type Infer, type Schema } from './schema.js';

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
  }),
  'account:signOut': none,
  'connection:get': none,
} satisfies Record<string, Schema<unknown>>;

/** What each request channel answers with (inside a `Result`). */
export interface ResponseMap {
  'app:getInfo': AppInfo;
  'account:get': SavedAccount | null;
  'account:signIn': ConnectionState;
  'account:signOut': ConnectionState;
  'connection:get': ConnectionState;
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
}

/** Every event name. */
export type EventName = keyof EventMap;

/** The allowlists the preload and the web-mode server check against. */
export const CHANNELS = Object.keys(requestSchemas) as Channel[];
export const EVENTS: readonly EventName[] = ['onDidChangeConnection'];

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
