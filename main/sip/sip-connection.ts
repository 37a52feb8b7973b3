import { Problem } from '../../shared/domain/problem.js';
import { RegistererState, UserAgent, type Registerer } from 'sip.js';
import type { Identity } from '../../shared/domain/account.js';
import { SignInProblem, type ConnectionState, type ConnectionStatus, type SignInFailure } from '../../shared/domain/connection.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import { cleanText } from '../../shared/domain/text.js';
import { err, ok, type ErrorKind, type IpcError, type Result } from '../../shared/ipc/result.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Emitter, type Unsubscribe } from '../base/emitter.js';
import { withTimeout } from '../base/timeout.js';
import { Interval, Timer } from '../base/timer.js';
import { createLogger, type Logger } from '../logger.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { SipSession, type SessionAccount } from './sip-session.js';
import { CERTIFICATE_ERRORS, fetchCertificate } from './tls-trust.js';
import type { TransportFailure } from './ws-transport.js';

/** What the connection needs to sign in. */
export type SipAccountConfig = SessionAccount;

export interface SipConnectionOptions {
  /** Requested registration lifetime in seconds (the registrar may grant less). */
  readonly registerExpires?: number;
  /**
   * The shortest registration a registrar may grant (s; default 30): a 200 granting less is a failed
   * sign-in, retried with backoff — never a refresh loop.
   */
  readonly minRegistrationSeconds?: number;
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
  /** How long a connection must stay registered before the backoff starts again from the first step, in ms. */
  readonly stableAfterMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly clock?: Clock;
  readonly userAgentString?: string;
  readonly logger?: Logger;
}

type Outcome = { ok: true } | { ok: false; error: IpcError };

/** A sign-in failure of `kind`, as a value and in the catalogue's words. */
function failed(kind: ErrorKind, signIn: SignInFailure): IpcError {
  return { kind, problem: Problem.SignIn, signIn };
}

/** Why the connection was lost when the transport said nothing more. */
const CONNECTION_LOST: SignInFailure = { problem: SignInProblem.ConnectionLost };

/**
 * A service that lives on the registration (presence, subscriptions, chat): told when the session
 * can be used (once per transition into `registered`), when it cannot, and given the chance to end
 * its dialogs politely before the un-REGISTER of a sign-out.
 */
export interface SessionParticipant {
  online(session: SipSession, account: SipAccountConfig): void | Promise<void>;
  offline(): void;
  signOut(): Promise<void>;
}

/**
 * The legal transitions of `ConnectionState` (drawn in `shared/domain/connection.ts`). Every change
 * goes through `transition()`, which refuses anything else: the side effects tied to entering or
 * leaving `registered` (services online/offline, liveness checks) then happen exactly once.
 */
const TRANSITIONS: Readonly<Record<ConnectionStatus, readonly ConnectionStatus[]>> = {
  signedOut: ['signingIn'],
  signingIn: ['registered', 'reconnecting', 'signedOut', 'signingOut'],
  registered: ['reconnecting', 'signingOut'],
  // reconnecting → reconnecting: the next attempt, with its new delay.
  reconnecting: ['reconnecting', 'registered', 'signedOut', 'signingOut'],
  signingOut: ['signedOut'],
};

const AUTH_FAILED: SignInFailure = { problem: SignInProblem.AuthFailed };

/**
 * One SIP account's connection: the session (sip.js user agent over WebSocket, RFC 7118), its
 * registration (RFC 3261 §10) and the reconnect loop that keeps it signed in.
 *
 * sip.js reconnects nothing by itself (`reconnectionAttempts` is 0): when the transport drops or a
 * refresh fails, this class reconnects with backoff and re-registers, because the registrar lost
 * our binding with the connection (Kamailio `handle_lost_tcp`) and cannot reach a WebSocket client
 * until it registers again. One attempt runs at a time: a timer, "Try now", the network coming
 * back and resume from sleep all join the attempt in flight instead of starting another.
 */
export class SipConnection {
  /** The session services send through and register request handlers on; one for the connection's life. */
  readonly session: SipSession;
  private state: ConnectionState = { status: 'signedOut' };
  private readonly changes = new Emitter<ConnectionState>();
  private registerer: Registerer | undefined;
  private config: SipAccountConfig | undefined;
  private identity: Identity | undefined;
  /** Bumped on every sign-in and sign-out: async work from an older generation stops. */
  private generation = 0;
  private failures = 0;
  private readonly retryTimer: Timer;
  private readonly liveness: Interval;
  /** Resets the backoff once a connection has proved stable (see `stableAfterMs`). */
  private readonly stable: Timer;
  /** The reconnect attempt in flight; every trigger joins it. */
  private attempt: Promise<void> | undefined;
  private probing = false;
  /** While a REGISTER waits for its answer: fails it when the registrar grants too brief a time. */
  private tooBrief: ((seconds: number) => void) | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly participants: SessionParticipant[] = [];

  constructor(private readonly options: SipConnectionOptions = {}) {
    this.log = options.logger ?? createLogger('sip');
    this.clock = options.clock ?? systemClock;
    this.session = new SipSession(this.log);
    this.retryTimer = new Timer(this.clock);
    this.liveness = new Interval(this.clock);
    this.stable = new Timer(this.clock);
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
  onDidChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.changes.event(listener);
  }

  /**
   * Connects and registers. With `keepTrying` (automatic sign-in at start) an unreachable server
   * leads to `reconnecting` instead of a failure; wrong credentials always fail.
   */
  async signIn(config: SipAccountConfig, { keepTrying = false } = {}): Promise<Result<ConnectionState>> {
    if (this.state.status !== 'signedOut') return err('state', Problem.AlreadySignedIn);
    const address = parseSipAddress(config.uri);
    if (!address) return err('invalid', Problem.NotSipAddress, 'address');
    const generation = ++this.generation;
    this.config = config;
    this.identity = { uri: address.uri, address: address.address, displayName: config.displayName };
    this.failures = 0;
    this.transition({ status: 'signingIn', identity: this.identity });

    try {
      await this.session.open(config, {
        connectTimeoutMs: (this.options.connectTimeoutSeconds ?? 5) * 1000,
        userAgentString: this.options.userAgentString ?? 'Parley',
        logger: this.log,
        onDisconnect: (error) => this.onTransportLost(error),
        ...(this.options.minRegistrationSeconds !== undefined ? { minRegistrationSeconds: this.options.minRegistrationSeconds } : {}),
        onRegistrationTooBrief: (seconds) => this.tooBrief?.(seconds),
      });
    } catch (error) {
      if (generation !== this.generation) return ok(this.state);
      this.log.info(`connect to ${config.server} failed: ${String(error)}`);
      const problem = await explainFailure(config.server, this.session.lastFailure);
      if (generation !== this.generation) return ok(this.state);
      if (keepTrying && problem.kind === 'unreachable') {
        this.scheduleRetry(generation, problem.signIn ?? CONNECTION_LOST);
        return ok(this.state);
      }
      await this.teardown();
      this.transition({ status: 'signedOut', error: problem });
      return { ok: false, error: problem };
    }
    if (generation !== this.generation) return ok(this.state);
    this.registerer = this.createRegisterer();

    const outcome = await this.register(generation);
    if (generation !== this.generation) return ok(this.state);
    if (outcome.ok) {
      this.transition({ status: 'registered', identity: this.identity, since: this.clock.now() });
      return ok(this.state);
    }
    if (keepTrying && outcome.error.kind !== 'auth') {
      this.scheduleRetry(generation, outcome.error.signIn ?? CONNECTION_LOST);
      return ok(this.state);
    }
    await this.teardown();
    this.transition({ status: 'signedOut', error: outcome.error });
    return { ok: false, error: outcome.error };
  }

  /** Un-registers (REGISTER with Expires: 0, RFC 3261 §10.2.2) and closes the connection. */
  async signOut(): Promise<ConnectionState> {
    const generation = ++this.generation;
    this.retryTimer.cancel();
    if (this.state.status === 'signedOut' || this.state.status === 'signingOut' || !this.identity) return this.state;
    const wasOnline = this.state.status === 'registered';
    this.transition({ status: 'signingOut', identity: this.identity });
    if (wasOnline && this.session.connected) {
      // Unsubscribe and unpublish while the registration still stands, bounded in time.
      await withTimeout(Promise.allSettled(this.participants.map((p) => p.signOut())), 4_000, this.clock);
    }
    const registerer = this.registerer;
    if (registerer && registerer.state === RegistererState.Registered && this.session.connected) {
      await this.unregister(registerer);
    }
    await this.teardown();
    if (generation === this.generation) this.transition({ status: 'signedOut' });
    return this.state;
  }

  /**
   * Something outside (network back, resume from sleep, the person pressing "Try now") says the
   * connection is worth checking: retry at once while reconnecting (joining an attempt already in
   * flight), or verify a registered one.
   */
  retryNow(): void {
    if (this.state.status === 'registered') {
      // The network may have changed under a live-looking connection: check it now.
      void this.probe(this.generation);
      return;
    }
    if (this.state.status !== 'reconnecting') return;
    void this.runAttempt(this.generation);
  }

  private createRegisterer(): Registerer {
    const registerer = this.session.registerer({
      expires: this.options.registerExpires ?? 600,
      refreshFrequency: this.options.refreshPercent ?? 85,
    });
    registerer.stateChange.addListener((next) => {
      // A refresh that failed (or a binding that expired) leaves sip.js Unregistered while we think
      // we are registered: treat it like a lost connection.
      if (next === RegistererState.Unregistered && this.state.status === 'registered' && this.registerer === registerer) {
        this.log.info('registration lapsed; re-registering');
        this.scheduleRetry(this.generation, { problem: SignInProblem.RegistrationLapsed });
      }
    });
    return registerer;
  }

  private register(generation: number): Promise<Outcome> {
    const registerer = this.registerer;
    if (!registerer) return Promise.resolve({ ok: false, error: { kind: 'state', problem: Problem.SignInFirst } });
    const server = this.config?.server ?? '';
    return new Promise<Outcome>((resolve) => {
      const timer = new Timer(this.clock);
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        timer.dispose();
        this.tooBrief = undefined;
        resolve(outcome);
      };
      timer.schedule(this.options.registerTimeoutMs ?? 15_000, () =>
        finish({ ok: false, error: failed('unreachable', { problem: SignInProblem.NotAnswering, server }) }),
      );
      // A 200 that grants (almost) no time: sip.js sees no registration and will not say more.
      this.tooBrief = (seconds) => finish({ ok: false, error: failed('rejected', { problem: SignInProblem.TooBrief, server, seconds }) });
      registerer
        .register({
          requestDelegate: {
            onAccept: () => finish({ ok: true }),
            onReject: (response) =>
              finish(rejection(response.message.statusCode ?? 0, cleanText(response.message.reasonPhrase ?? '', 80), server)),
          },
        })
        .catch((error: unknown) => {
          if (generation !== this.generation) return finish({ ok: false, error: { kind: 'state', problem: Problem.SignedOut } });
          this.log.info(`REGISTER to ${server} failed: ${String(error)}`);
          finish({ ok: false, error: failed('unreachable', { problem: SignInProblem.Unreachable, server }) });
        });
    });
  }

  private async unregister(registerer: Registerer): Promise<void> {
    const done = new Promise<void>((resolve) => {
      registerer.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(() => resolve());
    });
    await withTimeout(done, 5_000, this.clock);
  }

  private onTransportLost(error: Error | undefined): void {
    // While signing in or retrying, the attempt in progress sees the failure itself.
    if (this.state.status !== 'registered') return;
    this.log.info(`connection lost${error ? `: ${error.message}` : ''}`);
    this.scheduleRetry(this.generation, CONNECTION_LOST);
  }

  private scheduleRetry(generation: number, reason: SignInFailure): void {
    if (generation !== this.generation || !this.identity) return;
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.random ?? Math.random, this.options.backoff ?? DEFAULT_BACKOFF);
    const moved = this.transition({
      status: 'reconnecting',
      identity: this.identity,
      attempt: this.failures,
      retryAt: this.clock.now() + delay,
      reason,
    });
    if (moved) this.retryTimer.schedule(delay, () => void this.runAttempt(generation));
  }

  /** Starts a reconnect attempt, or joins the one in flight. */
  private runAttempt(generation: number): Promise<void> {
    this.retryTimer.cancel();
    this.attempt ??= this.reconnect(generation).finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async reconnect(generation: number): Promise<void> {
    if (generation !== this.generation || !this.identity || this.state.status !== 'reconnecting') return;
    const server = this.config?.server ?? '';
    if (!this.session.connected) {
      try {
        await this.session.reconnect();
      } catch (error) {
        this.log.debug(`reconnect failed: ${String(error)}`);
        const problem = await explainFailure(server, this.session.lastFailure, { withCertificate: false });
        this.scheduleRetry(generation, problem.signIn ?? CONNECTION_LOST);
        return;
      }
    }
    if (generation !== this.generation) return;
    this.registerer ??= this.createRegisterer();
    const outcome = await this.register(generation);
    if (generation !== this.generation) return;
    if (outcome.ok) {
      // The backoff is not reset here: a server that accepts and then drops us at once would
      // otherwise be hit every second forever. It resets once the connection has held a while.
      this.transition({ status: 'registered', identity: this.identity, since: this.clock.now() });
    } else if (outcome.error.kind === 'auth') {
      // The password changed on the server: retrying cannot help, the person has to act.
      await this.teardown();
      this.transition({ status: 'signedOut', error: failed('auth', AUTH_FAILED) });
    } else {
      this.scheduleRetry(generation, outcome.error.signIn ?? CONNECTION_LOST);
    }
  }

  /**
   * A connection can die without a close: a laptop changes networks, a NAT forgets us, a server hangs.
   * Nothing arrives to say so, and the registration would silently lapse. So while registered we ask
   * the server something cheap (OPTIONS to the domain, RFC 3261 §11) every so often; any final answer
   * proves the path works, silence means the connection is dead and we reconnect now.
   */
  private async probe(generation: number): Promise<void> {
    const address = this.config && parseSipAddress(this.config.uri);
    const target = address && UserAgent.makeURI(`sip:${address.host}`);
    if (this.probing || this.state.status !== 'registered' || !target) return;
    this.probing = true;
    const answered = new Promise<boolean>((resolve) => {
      const yes = () => resolve(true);
      this.session.request('OPTIONS', target, {}, { onAccept: yes, onReject: yes, onRedirect: yes });
    });
    const alive = (await withTimeout(answered, this.options.livenessTimeoutMs ?? 10_000, this.clock)) ?? false;
    this.probing = false;
    if (alive || generation !== this.generation || this.state.status !== 'registered') return;
    this.log.info('the server stopped answering; reconnecting');
    this.scheduleRetry(generation, { problem: SignInProblem.ServerSilent });
    // Drop the dead socket so the retry opens a fresh one.
    this.session.dropConnection().catch((error: unknown) => this.log.debug(`disconnect: ${String(error)}`));
  }

  private async teardown(): Promise<void> {
    this.retryTimer.cancel();
    const registerer = this.registerer;
    this.registerer = undefined;
    try {
      await registerer?.dispose();
    } catch (error) {
      this.log.debug(`registerer dispose: ${String(error)}`);
    }
    await this.session.close();
  }

  /**
   * The one way the state changes. Refuses a transition the table does not allow (and says so in
   * the log: it is a bug), and runs what entering or leaving `registered` means, once.
   */
  private transition(next: ConnectionState): boolean {
    const before = this.state.status;
    if (!TRANSITIONS[before].includes(next.status)) {
      this.log.error(`refused connection transition ${before} → ${next.status}`);
      return false;
    }
    this.state = next;
    if (next.status === 'registered') {
      this.retryTimer.cancel();
      this.stable.schedule(this.options.stableAfterMs ?? 10_000, () => (this.failures = 0));
      const interval = this.options.livenessIntervalMs ?? 30_000;
      const generation = this.generation;
      if (interval > 0) this.liveness.start(interval, () => void this.probe(generation));
      const config = this.config!;
      for (const participant of this.participants) this.tell(() => participant.online(this.session, config));
    } else if (before === 'registered') {
      this.liveness.cancel();
      this.stable.cancel();
      if (next.status !== 'signingOut') for (const participant of this.participants) this.tell(() => participant.offline());
    }
    if (next.status === 'signedOut' || next.status === 'signingOut') this.retryTimer.cancel();
    this.changes.fire(next);
    return true;
  }

  private tell(action: () => void | Promise<void>): void {
    try {
      const result = action();
      if (result) result.catch((error: unknown) => this.log.error(`session participant: ${String(error)}`));
    } catch (error) {
      this.log.error(`session participant: ${String(error)}`);
    }
  }
}

/**
 * Why the connection could not be made, in words, from what the socket said: nothing listening, no
 * such host, a web server that is not a SIP WebSocket, or a certificate problem — the last with the
 * certificate itself, so the person can decide to trust a private server.
 */
export async function explainFailure(
  server: string,
  failure: TransportFailure | undefined,
  { withCertificate = true } = {},
): Promise<IpcError> {
  const code = failure?.code ?? '';
  const host = hostOf(server);
  const untrusted = async (problem: SignInProblem): Promise<IpcError> => {
    const certificate = withCertificate ? await fetchCertificate(server) : undefined;
    return { ...failed('untrusted', { problem, server, host }), ...(certificate ? { certificate } : {}) };
  };
  if (code === 'ECONNREFUSED') return failed('unreachable', { problem: SignInProblem.ConnectionRefused, server });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failed('unreachable', { problem: SignInProblem.HostNotFound, server, host });
  const http = /^HTTP_(\d{3})$/.exec(code);
  if (http) return failed('unreachable', { problem: SignInProblem.NotSipWebSocket, server, status: Number(http[1]) });
  if (CERTIFICATE_ERRORS.has(code)) {
    if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return untrusted(SignInProblem.SelfSigned);
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return untrusted(SignInProblem.OtherName);
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return untrusted(SignInProblem.CertificateExpired);
    if (code === 'CERT_FINGERPRINT_MISMATCH') return untrusted(SignInProblem.CertificateChanged);
    return untrusted(SignInProblem.UnknownIssuer);
  }
  return failed('unreachable', { problem: SignInProblem.Unreachable, server });
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}

/** A REGISTER's final failure as a person reads it. */
function rejection(status: number, phrase: string, server: string): Outcome {
  // RFC 3261 §22.2: sip.js answers the first 401/407 itself; a second one means the credentials were
  // refused. 403 is what many registrars send for a known user with a wrong password.
  if (status === 401 || status === 407 || status === 403) return { ok: false, error: failed('auth', AUTH_FAILED) };
  if (status === 408 || status === 503 || status === 480)
    return { ok: false, error: failed('unreachable', { problem: SignInProblem.NotAnswering, server, status, phrase }) };
  return { ok: false, error: failed('rejected', { problem: SignInProblem.Refused, server, status, phrase }) };
}
