import { Registerer, RegistererState, UserAgent, type UserAgentOptions } from 'sip.js';
import type { Identity } from '../../shared/domain/account.js';
import type { ConnectionState } from '../../shared/domain/connection.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import { err, ok, type ErrorKind, type Result } from '../../shared/ipc/result.js';
import { createLogger, type Logger } from '../logger.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { installWebSocket } from './node-websocket.js';

/** What the connection needs to sign in. */
export interface SipAccountConfig {
  readonly uri: string;
  readonly server: string;
  readonly authUser: string;
  readonly password: string;
  readonly displayName: string;
}

export interface SipConnectionOptions {
  /** Requested registration lifetime in seconds (the registrar may grant less). */
  readonly registerExpires?: number;
  /** When to refresh, as a percentage of the granted lifetime (sip.js allows 50–99). */
  readonly refreshPercent?: number;
  /** How long to wait for the WebSocket to open, in seconds. */
  readonly connectTimeoutSeconds?: number;
  /** How long to wait for a final response to REGISTER before giving up on it, in ms. */
  readonly registerTimeoutMs?: number;
  /** How often to check that the server still answers while registered (0: never), in ms. */
  readonly livenessIntervalMs?: number;
  /** How long the server may take to answer that check before the connection counts as dead, in ms. */
  readonly livenessTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly userAgentString?: string;
  readonly logger?: Logger;
}

type Outcome = { ok: true } | { ok: false; kind: ErrorKind; message: string };

/**
 * A service that lives on the registration (presence, subscriptions, chat): told when the user agent
 * can be used (after every (re-)registration), when it cannot, and given the chance to end its
 * dialogs politely before the un-REGISTER of a sign-out.
 */
export interface SessionParticipant {
  online(ua: UserAgent, account: SipAccountConfig): void | Promise<void>;
  offline(): void;
  signOut(): Promise<void>;
}

const AUTH_FAILED = 'The server rejected the user name or password.';

/**
 * One SIP account's connection: the sip.js user agent over WebSocket (RFC 7118), its registration
 * (RFC 3261 §10) and the reconnect loop that keeps it signed in. The states and their transitions are
 * `ConnectionState` in `shared/domain/connection.ts`.
 *
 * sip.js reconnects nothing by itself (`reconnectionAttempts` is 0 here): when the transport drops or
 * a refresh fails, this class reconnects with backoff and re-registers, because the registrar lost
 * our binding with the connection (Kamailio `handle_lost_tcp`) and cannot reach a WebSocket client
 * until it registers again.
 */
export class SipConnection {
  private state: ConnectionState = { status: 'signedOut' };
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private config: SipAccountConfig | undefined;
  private identity: Identity | undefined;
  /** Bumped on every sign-in and sign-out: async work from an older generation stops. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private livenessTimer: ReturnType<typeof setInterval> | undefined;
  private probing = false;
  private readonly log: Logger;
  private readonly participants: SessionParticipant[] = [];

  constructor(private readonly options: SipConnectionOptions = {}) {
    this.log = options.logger ?? createLogger('sip');
  }

  /** The current state. */
  get current(): ConnectionState {
    return this.state;
  }

  /** The signed-in account (while signing in, signed in or reconnecting). */
  get account(): SipAccountConfig | undefined {
    return this.state.status === 'signedOut' ? undefined : this.config;
  }

  /** Adds a service that follows the session (see `SessionParticipant`). */
  addParticipant(participant: SessionParticipant): void {
    this.participants.push(participant);
  }

  /** Listens to state changes; returns the function that stops listening. */
  onDidChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects and registers. With `keepTrying` (automatic sign-in at start) an unreachable server
   * leads to `reconnecting` instead of a failure; wrong credentials always fail.
   */
  async signIn(config: SipAccountConfig, { keepTrying = false } = {}): Promise<Result<ConnectionState>> {
    if (this.state.status !== 'signedOut') return err('state', 'Parley is already signed in. Sign out first.');
    const address = parseSipAddress(config.uri);
    if (!address) return err('invalid', 'That is not a SIP address.', 'address');
    const generation = ++this.generation;
    this.config = config;
    this.identity = { uri: address.uri, address: address.address, displayName: config.displayName };
    this.attempt = 0;
    this.setState({ status: 'signingIn', identity: this.identity });

    installWebSocket();
    const ua = this.createUserAgent(config);
    this.ua = ua;
    this.registerer = this.createRegisterer(ua);

    try {
      await ua.start();
    } catch (error) {
      if (generation !== this.generation) return ok(this.state);
      this.log.info(`connect to ${config.server} failed: ${String(error)}`);
      const message = unreachable(config.server);
      if (keepTrying) {
        this.scheduleRetry(generation, message);
        return ok(this.state);
      }
      await this.teardown();
      this.setState({ status: 'signedOut', error: { kind: 'unreachable', message } });
      return err('unreachable', message);
    }
    if (generation !== this.generation) return ok(this.state);

    const outcome = await this.register(generation);
    if (generation !== this.generation) return ok(this.state);
    if (outcome.ok) {
      this.setState({ status: 'registered', identity: this.identity, since: this.now() });
      return ok(this.state);
    }
    if (keepTrying && outcome.kind !== 'auth') {
      this.scheduleRetry(generation, outcome.message);
      return ok(this.state);
    }
    await this.teardown();
    this.setState({ status: 'signedOut', error: { kind: outcome.kind, message: outcome.message } });
    return err(outcome.kind, outcome.message);
  }

  /** Un-registers (REGISTER with Expires: 0, RFC 3261 §10.2.2) and closes the connection. */
  async signOut(): Promise<ConnectionState> {
    const generation = ++this.generation;
    this.clearRetry();
    if (this.state.status === 'signedOut') return this.state;
    const wasOnline = this.state.status === 'registered';
    if (this.identity) this.setState({ status: 'signingOut', identity: this.identity });
    if (wasOnline && this.ua?.isConnected()) {
      // Unsubscribe and unpublish while the registration still stands, bounded in time.
      await withTimeout(Promise.allSettled(this.participants.map((p) => p.signOut())), 4_000);
    }
    const registerer = this.registerer;
    if (registerer && registerer.state === RegistererState.Registered && this.ua?.isConnected()) {
      await this.unregister(registerer);
    }
    await this.teardown();
    if (generation === this.generation) this.setState({ status: 'signedOut' });
    return this.state;
  }

  /**
   * Something outside (network back, resume from sleep, the person pressing "Try now") says the
   * connection is worth checking: retry at once while reconnecting, or verify a registered one.
   */
  retryNow(): void {
    if (this.state.status === 'registered') {
      // The network may have changed under a live-looking connection: check it now.
      void this.probe(this.generation);
      return;
    }
    if (this.state.status !== 'reconnecting') return;
    this.clearRetry();
    void this.retry(this.generation);
  }

  private createUserAgent(config: SipAccountConfig): UserAgent {
    const uri = UserAgent.makeURI(config.uri);
    if (!uri) throw new Error(`Invalid SIP URI ${config.uri}`);
    const log = this.log;
    const options: UserAgentOptions = {
      uri,
      authorizationUsername: config.authUser || uri.user || '',
      authorizationPassword: config.password,
      displayName: config.displayName || undefined,
      transportOptions: { server: config.server, connectionTimeout: this.options.connectTimeoutSeconds ?? 5 },
      // Reconnection is ours (see the class comment).
      reconnectionAttempts: 0,
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.error(`${category}: ${content}`);
        else if (level === 'warn') log.debug(`${category}: ${content}`);
      },
      userAgentString: this.options.userAgentString ?? 'Parley',
      delegate: {
        onDisconnect: (error) => this.onTransportLost(error),
      },
    };
    return new UserAgent(options);
  }

  private createRegisterer(ua: UserAgent): Registerer {
    const registerer = new Registerer(ua, {
      expires: this.options.registerExpires ?? 600,
      refreshFrequency: this.options.refreshPercent ?? 85,
    });
    registerer.stateChange.addListener((next) => {
      // A refresh that failed (or a binding that expired) leaves sip.js Unregistered while we think
      // we are registered: treat it like a lost connection.
      if (next === RegistererState.Unregistered && this.state.status === 'registered' && this.registerer === registerer) {
        this.log.info('registration lapsed; re-registering');
        this.scheduleRetry(this.generation, 'The registration lapsed.');
      }
    });
    return registerer;
  }

  private register(generation: number): Promise<Outcome> {
    const registerer = this.registerer;
    if (!registerer) return Promise.resolve({ ok: false, kind: 'state', message: 'Not signed in.' });
    const server = this.config?.server ?? '';
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => finish({ ok: false, kind: 'unreachable', message: `The server at ${server} did not answer.` }),
        this.options.registerTimeoutMs ?? 15_000,
      );
      registerer
        .register({
          requestDelegate: {
            onAccept: () => finish({ ok: true }),
            onReject: (response) => finish(rejection(response.message.statusCode ?? 0, response.message.reasonPhrase ?? '', server)),
          },
        })
        .catch((error: unknown) => {
          if (generation !== this.generation) return finish({ ok: false, kind: 'state', message: 'Signed out.' });
          finish({ ok: false, kind: 'unreachable', message: `${unreachable(server)} (${String(error)})` });
        });
    });
  }

  private unregister(registerer: Registerer): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      registerer.unregister({ requestDelegate: { onAccept: done, onReject: done } }).catch(done);
    });
  }

  private onTransportLost(error: Error | undefined): void {
    // While signing in or retrying, the attempt in progress sees the failure itself.
    if (this.state.status !== 'registered') return;
    this.log.info(`connection lost${error ? `: ${error.message}` : ''}`);
    this.scheduleRetry(this.generation, 'Lost the connection to the server.');
  }

  private scheduleRetry(generation: number, reason: string): void {
    if (generation !== this.generation || !this.identity) return;
    this.clearRetry();
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.options.random ?? Math.random, this.options.backoff ?? DEFAULT_BACKOFF);
    this.setState({ status: 'reconnecting', identity: this.identity, attempt: this.attempt, retryAt: this.now() + delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retry(generation);
    }, delay);
  }

  private async retry(generation: number): Promise<void> {
    const ua = this.ua;
    if (generation !== this.generation || !ua || !this.identity) return;
    const server = this.config?.server ?? '';
    if (!ua.isConnected()) {
      try {
        await ua.reconnect();
      } catch (error) {
        this.log.debug(`reconnect failed: ${String(error)}`);
        this.scheduleRetry(generation, unreachable(server));
        return;
      }
    }
    if (generation !== this.generation) return;
    const outcome = await this.register(generation);
    if (generation !== this.generation) return;
    if (outcome.ok) {
      this.attempt = 0;
      this.setState({ status: 'registered', identity: this.identity, since: this.now() });
    } else if (outcome.kind === 'auth') {
      // The password changed on the server: retrying cannot help, the person has to act.
      await this.teardown();
      this.setState({ status: 'signedOut', error: { kind: 'auth', message: AUTH_FAILED } });
    } else {
      this.scheduleRetry(generation, outcome.message);
    }
  }

  /**
   * A connection can die without a close: a laptop changes networks, a NAT forgets us, a server hangs.
   * Nothing arrives to say so, and the registration would silently lapse. So while registered we ask
   * the server something cheap (OPTIONS to the domain, RFC 3261 §11) every so often; any final answer
   * proves the path works, silence means the connection is dead and we reconnect now.
   */
  private startLiveness(): void {
    const interval = this.options.livenessIntervalMs ?? 30_000;
    if (this.livenessTimer || interval <= 0) return;
    const generation = this.generation;
    this.livenessTimer = setInterval(() => void this.probe(generation), interval);
  }

  private stopLiveness(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  private async probe(generation: number): Promise<void> {
    const ua = this.ua;
    const address = this.config && parseSipAddress(this.config.uri);
    if (this.probing || this.state.status !== 'registered' || !ua || !address) return;
    this.probing = true;
    const alive = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.options.livenessTimeoutMs ?? 10_000);
      const answered = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const target = UserAgent.makeURI(`sip:${address.host}`)!;
      const request = ua.userAgentCore.makeOutgoingRequestMessage('OPTIONS', target, ua.configuration.uri, target, {});
      ua.userAgentCore.request(request, { onAccept: answered, onReject: answered, onRedirect: answered });
    });
    this.probing = false;
    if (alive || generation !== this.generation || this.state.status !== 'registered') return;
    this.log.info('the server stopped answering; reconnecting');
    this.scheduleRetry(generation, 'The server stopped answering.');
    // Drop the dead socket so the retry opens a fresh one.
    ua.transport.disconnect().catch((error: unknown) => this.log.debug(`disconnect: ${String(error)}`));
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async teardown(): Promise<void> {
    this.clearRetry();
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    try {
      await registerer?.dispose();
    } catch (error) {
      this.log.debug(`registerer dispose: ${String(error)}`);
    }
    try {
      await ua?.stop();
    } catch (error) {
      this.log.debug(`user agent stop: ${String(error)}`);
    }
  }

  private setState(state: ConnectionState): void {
    const before = this.state.status;
    if (state.status === 'registered') this.startLiveness();
    else this.stopLiveness();
    this.state = state;
    if (state.status === 'registered' && this.ua && this.config) {
      for (const participant of this.participants) this.tell(() => participant.online(this.ua!, this.config!));
    } else if (before === 'registered' && state.status !== 'signingOut') {
      for (const participant of this.participants) this.tell(() => participant.offline());
    }
    for (const listener of this.listeners) listener(state);
  }

  private tell(action: () => void | Promise<void>): void {
    try {
      const result = action();
      if (result) result.catch((error: unknown) => this.log.error(`session participant: ${String(error)}`));
    } catch (error) {
      this.log.error(`session participant: ${String(error)}`);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

function unreachable(server: string): string {
  return `Can't reach the server at ${server}.`;
}

/** A REGISTER's final failure as a person reads it. */
function rejection(status: number, reason: string, server: string): Outcome {
  // RFC 3261 §22.2: sip.js answers the first 401/407 itself; a second one means the credentials were
  // refused. 403 is what many registrars send for a known user with a wrong password.
  if (status === 401 || status === 407 || status === 403) return { ok: false, kind: 'auth', message: AUTH_FAILED };
  if (status === 408 || status === 503 || status === 480)
    return { ok: false, kind: 'unreachable', message: `The server at ${server} is not answering (${status} ${reason}).` };
  return { ok: false, kind: 'rejected', message: `The server refused the sign-in (${status} ${reason}).` };
}
