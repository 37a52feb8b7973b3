import {
  type Core,
  Inviter,
  type InviterOptions,
  Registerer,
  type SessionDescriptionHandlerFactory,
  UserAgent,
  type Invitation,
  type Message,
  type Notification,
  type RegistererOptions,
  type URI,
  type UserAgentOptions,
} from 'sip.js';
import type { Unsubscribe } from '../base/emitter.js';
import { createLogger, type Logger } from '../logger.js';
import { WsTransport, type TransportFailure, type WsTransportOptions } from './ws-transport.js';

type OutgoingRequestDelegate = Core.OutgoingRequestDelegate;
type OutgoingSubscribeRequest = Core.OutgoingSubscribeRequest;
type OutgoingSubscribeRequestDelegate = Core.OutgoingSubscribeRequestDelegate;
type OutgoingRequest = Core.OutgoingRequest;

/** What the session needs to open a user agent for an account. */
export interface SessionAccount {
  readonly uri: string;
  readonly server: string;
  readonly authUser: string;
  readonly password: string;
  readonly displayName: string;
  /** SHA-256 fingerprint of a certificate trusted for this account (a private server's). */
  readonly trustedCertificate?: string;
}

/**
 * The out-of-dialog requests a service can take, with what sip.js hands over for each. In-dialog
 * requests (NOTIFY of a subscription, BYE of a call) go to the dialog's owner by sip.js itself.
 */
export interface IncomingRequests {
  MESSAGE: Message;
  INVITE: Invitation;
  /** A NOTIFY outside any subscription (RFC 6665 §3.2 calls these invalid unless someone expects them). */
  NOTIFY: Notification;
  REFER: Core.IncomingReferRequest;
  SUBSCRIBE: Core.IncomingSubscribeRequest;
}
export type IncomingMethod = keyof IncomingRequests;

/**
 * Methods Parley knows and is building, but that no service takes yet: answered 480 (Temporarily
 * Unavailable, RFC 3261 §21.4.18) — "not now" — rather than 405, which would tell the peer never to
 * try. Anything else nobody handles gets 405 with the truthful Allow (RFC 3261 §8.2.1).
 */
const COMING: readonly IncomingMethod[] = ['MESSAGE', 'INVITE'];

/**
 * What Parley answers as a user agent server whatever services are running: OPTIONS (sip.js
 * answers it, RFC 3261 §11.2) and NOTIFY inside the subscriptions it makes (RFC 6665).
 */
const ALWAYS_ALLOWED = ['NOTIFY', 'OPTIONS'];

export interface OpenOptions {
  readonly connectTimeoutMs?: number;
  readonly userAgentString?: string;
  readonly logger?: Logger;
  /** Called when an open connection drops (not after `close()`). */
  readonly onDisconnect: (error: Error | undefined) => void;
  /** The shortest registration taken as one (s), and who is told of a shorter grant. */
  readonly minRegistrationSeconds?: number;
  readonly onRegistrationTooBrief?: (seconds: number) => void;
}

/**
 * One SIP session: the sip.js user agent of the signed-in account and its transport, and the one
 * place incoming requests are routed. Services register for the methods they implement
 * (`handle`); a method nobody handles is answered honestly (480 or 405, never a 200 for something
 * that was dropped), and the `Allow` header of everything Parley sends lists exactly the methods it
 * takes. Services send through the session's narrow request API and never see the user agent.
 *
 * Owned by `SipConnection`, which decides when to open, reconnect and close it.
 */
export class SipSession {
  private ua: UserAgent | undefined;
  private transport: WsTransport | undefined;
  private readonly handlers = new Map<IncomingMethod, (request: never) => void>();
  /** In-dialog methods a service implements (e.g. BYE and ACK for calls), for the Allow header. */
  private readonly declared = new Map<string, number>();
  private readonly acceptedTypes: (readonly string[])[] = [];
  private readonly log: Logger;

  constructor(logger?: Logger) {
    this.log = logger ?? createLogger('sip');
  }

  /** The methods Parley answers now (the truthful `Allow`, RFC 3261 §20.5). */
  get allow(): string[] {
    const methods = new Set([...ALWAYS_ALLOWED, ...this.handlers.keys(), ...this.declared.keys()]);
    return [...methods].sort();
  }

  /**
   * Takes incoming out-of-dialog requests of `method`. One handler per method; `also` names the
   * in-dialog methods that come with it (INVITE brings ACK, BYE, CANCEL…) so Allow tells the truth.
   * The handler must answer every request it is given.
   */
  handle<M extends IncomingMethod>(method: M, handler: (request: IncomingRequests[M]) => void, also: readonly string[] = []): Unsubscribe {
    if (this.handlers.has(method)) throw new Error(`${method} already has a handler`);
    this.handlers.set(method, handler as (request: never) => void);
    for (const extra of also) this.declared.set(extra, (this.declared.get(extra) ?? 0) + 1);
    return () => {
      if (this.handlers.get(method) !== handler) return;
      this.handlers.delete(method);
      for (const extra of also) {
        const count = (this.declared.get(extra) ?? 1) - 1;
        if (count <= 0) this.declared.delete(extra);
        else this.declared.set(extra, count);
      }
    };
  }

  /** Body types services take (the Accept of the 200 to OPTIONS). */
  get accept(): string[] {
    return [...new Set(this.acceptedTypes.flat())].sort();
  }

  /** Declares body types a service takes (`text/plain`, `message/cpim`…); returns the undo. */
  accepts(types: readonly string[]): Unsubscribe {
    this.acceptedTypes.push(types);
    return () => {
      const at = this.acceptedTypes.indexOf(types);
      if (at >= 0) this.acceptedTypes.splice(at, 1);
    };
  }

  /** True while a user agent exists and its transport is connected. */
  get connected(): boolean {
    return this.ua?.isConnected() ?? false;
  }

  /** Why the transport last failed, as the socket said it. */
  get lastFailure(): TransportFailure | undefined {
    return this.transport?.lastFailure;
  }

  /**
   * Builds the SDP side of every call (the calls service installs its media bridge here). sip.js asks
   * for one when a call first needs an offer or an answer.
   */
  descriptionHandlers: SessionDescriptionHandlerFactory | undefined;

  /** A call to `target` from the open account (RFC 3261 §13); `invite()` on it sends the INVITE. */
  inviter(target: URI, options: InviterOptions): Inviter {
    if (!this.ua) throw new Error('The session is closed.');
    return new Inviter(this.ua, target, options);
  }

  /** Our Contact header value (RFC 3261 §8.1.1.8). */
  get contact(): string {
    return this.core.configuration.contact.toString();
  }

  /** Creates the user agent for `account` and connects it. Rejects when the connection fails. */
  async open(account: SessionAccount, options: OpenOptions): Promise<void> {
    if (this.ua) throw new Error('The session is already open.');
    const uri = UserAgent.makeURI(account.uri);
    if (!uri) throw new Error(`Invalid SIP URI ${account.uri}`);
    const log = options.logger ?? this.log;
    const transportOptions: WsTransportOptions = {
      server: account.server,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      allow: () => this.allow,
      accept: () => this.accept,
      ...(account.trustedCertificate ? { trustedFingerprint: account.trustedCertificate } : {}),
      ...(options.minRegistrationSeconds !== undefined ? { minRegistrationSeconds: options.minRegistrationSeconds } : {}),
      ...(options.onRegistrationTooBrief ? { onRegistrationTooBrief: options.onRegistrationTooBrief } : {}),
      ...(uri.host ? { telHost: uri.host } : {}),
    };
    const userAgentOptions: UserAgentOptions = {
      uri,
      authorizationUsername: account.authUser || uri.user || '',
      authorizationPassword: account.password,
      displayName: account.displayName || undefined,
      transportConstructor: WsTransport,
      transportOptions,
      // Reconnection is the connection's (SipConnection), not sip.js's.
      reconnectionAttempts: 0,
      // +sip.instance in the REGISTER's Contact lets a registrar that supports GRUU (RFC 5627 §4.1)
      // give one; dialogs then carry it as their Contact, which reaches this Parley through the
      // registrar after a reconnect — the old WebSocket-bound Contact dies with its connection.
      instanceIdAlwaysAdded: true,
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.error(`${category}: ${content}`);
        else if (level === 'warn') log.debug(`${category}: ${content}`);
      },
      userAgentString: options.userAgentString ?? 'Parley',
      // One 180 per call, sent by the calls service once the call really rings here; sip.js's own
      // would go before a refusal (busy, blocked) and double the calls service's.
      sendInitialProvisionalResponse: false,
      sessionDescriptionHandlerFactory: (session, factoryOptions) => {
        if (!this.descriptionHandlers) throw new Error('Calls are not available.');
        return this.descriptionHandlers(session, factoryOptions);
      },
      delegate: {
        onDisconnect: (error) => {
          if (this.ua === ua) options.onDisconnect(error);
        },
        onMessage: (message) => this.route('MESSAGE', message),
        onInvite: (invitation) => this.route('INVITE', invitation),
        onNotify: (notification) => this.route('NOTIFY', notification),
        onReferRequest: (request) => this.route('REFER', request),
        onSubscribeRequest: (request) => this.route('SUBSCRIBE', request),
        onRegisterRequest: (request) => this.reject(request, 405),
      },
    };
    const ua = new UserAgent(userAgentOptions);
    this.ua = ua;
    this.transport = ua.transport as WsTransport;
    await ua.start();
  }

  /** Sends again a call's recent ACKs (see WsTransport.resendAcks). */
  resendAcks(callId: string): void {
    this.transport?.resendAcks(callId);
  }

  /** Opens the transport again after it dropped (same user agent, same dialogs' identity). */
  async reconnect(): Promise<void> {
    const ua = this.ua;
    if (!ua) throw new Error('The session is closed.');
    if (!ua.isConnected()) await ua.reconnect();
  }

  /** Drops the socket without closing the session (a dead connection the next reconnect replaces). */
  async dropConnection(): Promise<void> {
    await this.transport?.disconnect();
  }

  /** Stops the user agent and forgets it. */
  async close(): Promise<void> {
    const ua = this.ua;
    this.ua = undefined;
    this.transport = undefined;
    try {
      await ua?.stop();
    } catch (error) {
      this.log.debug(`user agent stop: ${String(error)}`);
    }
  }

  /** A registerer for the open account (RFC 3261 §10); its REGISTERs carry the truthful Allow. */
  registerer(options: RegistererOptions): Registerer {
    if (!this.ua) throw new Error('The session is closed.');
    return new Registerer(this.ua, options);
  }

  /** Parses a SIP URI (undefined when it is not one). */
  makeURI(uri: string): URI | undefined {
    return UserAgent.makeURI(uri);
  }

  /** Sends an out-of-dialog request (OPTIONS, MESSAGE…) to `target`, From the open account. */
  request(
    method: string,
    target: URI,
    options: { headers?: string[]; body?: { contentType: string; content: string }; callId?: string; cseq?: number },
    delegate: OutgoingRequestDelegate,
  ): OutgoingRequest {
    const ids = { ...(options.callId ? { callId: options.callId } : {}), ...(options.cseq ? { cseq: options.cseq } : {}) };
    return this.core.request(this.message(method, target, options.headers ?? [], options.body, ids), delegate);
  }

  /** Sends a SUBSCRIBE (RFC 6665 §4.1.2) from the open account to `target`. */
  subscribe(target: URI, headers: string[], delegate: OutgoingSubscribeRequestDelegate): OutgoingSubscribeRequest {
    const message = this.message('SUBSCRIBE', target, [
      ...headers,
      `Contact: ${this.contact}`,
      // Rewritten to the truthful list on the way out; present so the notifier learns it.
      'Allow: NOTIFY',
    ]);
    return this.core.subscribe(message, delegate);
  }

  /** Sends a PUBLISH (RFC 3903) for the open account's own presentity `target`. */
  publish(
    target: URI,
    headers: string[],
    body: { contentType: string; content: string } | undefined,
    delegate: OutgoingRequestDelegate,
  ): void {
    this.core.publish(this.message('PUBLISH', target, headers, body), delegate);
  }

  /** An out-of-dialog request From the open account To `target`. */
  private message(
    method: string,
    target: URI,
    headers: string[],
    body?: { contentType: string; content: string },
    ids: { callId?: string; cseq?: number } = {},
  ) {
    const core = this.core;
    return core.makeOutgoingRequestMessage(
      method,
      target,
      core.configuration.aor,
      target,
      ids,
      headers,
      body && { contentDisposition: 'render', ...body },
    );
  }

  private get core(): Core.UserAgentCore {
    if (!this.ua) throw new Error('The session is closed.');
    return this.ua.userAgentCore;
  }

  private route<M extends IncomingMethod>(method: M, request: IncomingRequests[M]): void {
    // RFC 3261 §8.2.2.3: an extension the sender requires (100rel, timer…) that Parley does not
    // implement is refused with 420 naming it, not ignored.
    const message = 'request' in request ? request.request : request.message;
    const required = message
      .getHeaders('Require')
      .flatMap((value) => value.split(','))
      .map((tag) => tag.trim().toLowerCase())
      .filter((tag) => /^[\w.!%*+`'~-]{1,32}$/.test(tag));
    if (required.length > 0) {
      this.reject(request, 420, [`Unsupported: ${[...new Set(required)].slice(0, 8).join(', ')}`]);
      return;
    }
    const handler = this.handlers.get(method) as ((request: IncomingRequests[M]) => void) | undefined;
    if (!handler) {
      this.reject(request, COMING.includes(method) ? 480 : method === 'NOTIFY' ? 481 : 405);
      return;
    }
    try {
      handler(request);
    } catch (error) {
      this.log.error(`${method} handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      this.reject(request, 500);
    }
  }

  private reject(
    request: { reject(options?: { statusCode?: number; extraHeaders?: string[] }): unknown },
    statusCode: number,
    headers: string[] = [],
  ): void {
    try {
      // RFC 3261 §8.2.1: a 405 MUST carry Allow (rewritten to the truth by the transport).
      const extraHeaders = statusCode === 405 ? [...headers, `Allow: ${this.allow.join(', ')}`] : headers;
      const result = request.reject({ statusCode, ...(extraHeaders.length > 0 ? { extraHeaders } : {}) });
      if (result instanceof Promise) result.catch((error: unknown) => this.log.debug(`reject ${statusCode}: ${String(error)}`));
    } catch (error) {
      this.log.debug(`reject ${statusCode}: ${String(error)}`);
    }
  }
}
