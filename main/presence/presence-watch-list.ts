import { UserAgent } from 'sip.js';
import type { SipSession } from '../sip/sip-session.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Timer } from '../base/timer.js';
import type { Presence, SubscriptionStatus } from '../../shared/domain/presence.js';
import { createLogger, type Logger } from '../logger.js';
import { backoffDelay, type BackoffPolicy } from '../sip/backoff.js';
import { EventSubscription, type NotifyUpdate, type SubscribeFailure } from './event-subscription.js';
import { parsePidf } from './pidf.js';

/** What the list reports per watched URI. */
export interface WatchState {
  readonly subscription: SubscriptionStatus;
  readonly presence: Presence;
}

export interface PresenceWatchListOptions {
  /** SUBSCRIBE Expires (the server may grant less; the dialog refreshes itself). */
  readonly expires?: number;
  /** How many initial SUBSCRIBEs may await their first NOTIFY at once. */
  readonly window?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly clock?: Clock;
  /** The languages the person reads, most preferred first (the note in the best of them is shown). */
  readonly languages?: readonly string[];
  readonly logger?: Logger;
}

const OFFLINE: Presence = { availability: 'offline', note: '' };
/** Retrying a failed subscription: slower than reconnecting, but never forever silent. */
const SUBSCRIBE_BACKOFF: BackoffPolicy = { firstMinMs: 1_000, firstMaxMs: 3_000, baseMs: 2_000, capMs: 300_000 };
/** How long "not sharing presence" stands before Parley asks again on its own. */
const REASK_MS = 6 * 3600_000;
/** The longest wait before subscribing again, whatever the server said. */
const MAX_RETRY_MS = 24 * 3600_000;
/** A re-subscribe the server asked for (deactivated/timeout) within this long of the last start counts as a loop. */
const LOOP_WINDOW_MS = 30_000;

interface Entry {
  uri: string;
  state: WatchState;
  subscription: EventSubscription | undefined;
  /** Counts consecutive failures, for the backoff. */
  failures: number;
  startedAt: number;
  readonly retryTimer: Timer;
  /** Waiting for its first NOTIFY (occupies a window slot). */
  inFlight: boolean;
}

/**
 * One presence subscription per contact (RFC 3856), the path that must work on any server. Initial
 * SUBSCRIBEs go out in a window so that a 1000-contact list does not flood the connection, the
 * subscription state is read from each NOTIFY (Awaiting approval while pending), and a rejection is
 * final: no re-subscribe loop (kamailio.md traps 6, 7, 11).
 */
export class PresenceWatchList {
  private session: SipSession | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private inFlight = 0;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(
    private readonly onChange: (uri: string, state: WatchState) => void,
    private readonly options: PresenceWatchListOptions = {},
  ) {
    this.log = options.logger ?? createLogger('presence');
    this.clock = options.clock ?? systemClock;
  }

  /** The current state for a URI (idle/offline when not watched). */
  get(uri: string): WatchState {
    return this.entries.get(uri)?.state ?? { subscription: 'idle', presence: OFFLINE };
  }

  /** Starts watching these URIs (and stops watching any others). Subscribes now if online. */
  set(uris: Iterable<string>): void {
    const wanted = new Set(uris);
    for (const uri of [...this.entries.keys()]) if (!wanted.has(uri)) void this.remove(uri);
    for (const uri of wanted) this.add(uri);
  }

  /** Watches one more URI. */
  add(uri: string): void {
    if (this.entries.has(uri)) return;
    const entry: Entry = {
      uri,
      state: { subscription: 'idle', presence: OFFLINE },
      subscription: undefined,
      failures: 0,
      startedAt: 0,
      retryTimer: new Timer(this.clock),
      inFlight: false,
    };
    this.entries.set(uri, entry);
    if (this.session) this.enqueue(uri);
  }

  /** Stops watching a URI, un-subscribing politely. */
  async remove(uri: string): Promise<void> {
    const entry = this.entries.get(uri);
    if (!entry) return;
    this.entries.delete(uri);
    this.release(entry);
    entry.retryTimer.dispose();
    await entry.subscription?.stop();
  }

  /** Restarts one URI's subscription now (e.g. after my authorisation changed). */
  retry(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry || !this.session) return;
    entry.retryTimer.cancel();
    entry.failures = 0;
    entry.subscription?.dispose();
    entry.subscription = undefined;
    this.release(entry);
    this.enqueue(uri);
  }

  /** Registered (first time or again after a reconnect): subscribe everything afresh. */
  async online(session: SipSession): Promise<void> {
    // Old dialogs belong to a dead connection; end them on the server (best effort) so it stops
    // sending NOTIFYs nobody receives (kamailio.md trap 11), then start over.
    await this.stopAll();
    this.session = session;
    for (const uri of this.entries.keys()) this.enqueue(uri);
  }

  /** The connection is gone: nothing can be sent; keep the list, forget the dialogs. */
  offline(): void {
    this.session = undefined;
    this.queue.length = 0;
    this.inFlight = 0;
    for (const entry of this.entries.values()) {
      entry.retryTimer.cancel();
      entry.inFlight = false;
    }
  }

  /** Signing out: un-subscribe everything (in parallel, bounded) and go idle. */
  async stopAll(): Promise<void> {
    this.queue.length = 0;
    this.inFlight = 0;
    const stopping: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      entry.retryTimer.cancel();
      entry.inFlight = false;
      if (entry.subscription) stopping.push(entry.subscription.stop(1_500));
      entry.subscription = undefined;
    }
    await Promise.all(stopping);
    this.session = undefined;
    for (const entry of this.entries.values()) this.update(entry, { subscription: 'idle', presence: OFFLINE });
  }

  private enqueue(uri: string): void {
    if (!this.queue.includes(uri)) this.queue.push(uri);
    this.pump();
  }

  private pump(): void {
    const window = this.options.window ?? 50;
    while (this.session && this.inFlight < window && this.queue.length > 0) {
      const uri = this.queue.shift()!;
      const entry = this.entries.get(uri);
      if (entry) this.start(entry, this.session);
    }
  }

  private start(entry: Entry, session: SipSession): void {
    const target = UserAgent.makeURI(entry.uri);
    if (!target) {
      this.update(entry, { subscription: 'failed', presence: OFFLINE });
      return;
    }
    entry.subscription?.dispose();
    entry.inFlight = true;
    this.inFlight++;
    entry.startedAt = this.clock.now();
    this.update(entry, { subscription: 'subscribing', presence: entry.state.presence });
    const subscription: EventSubscription = new EventSubscription(session, target, {
      event: 'presence',
      accept: 'application/pidf+xml',
      expires: this.options.expires ?? 3600,
      clock: this.clock,
      onNotify: (update) => {
        if (entry.subscription === subscription) this.onNotify(entry, update);
      },
      onFailure: (failure) => {
        if (entry.subscription === subscription) this.onFailure(entry, failure);
      },
    });
    entry.subscription = subscription;
    subscription.start();
  }

  private onNotify(entry: Entry, update: NotifyUpdate): void {
    this.release(entry);
    switch (update.state) {
      case 'pending':
        // RFC 3857: the presentity has not decided yet. No document: show "Awaiting approval".
        this.update(entry, { subscription: 'pending', presence: OFFLINE });
        return;
      case 'active':
        entry.failures = 0;
        this.update(entry, { subscription: 'active', presence: this.presenceFrom(entry.uri, update) });
        return;
      case 'terminated':
        entry.subscription = undefined;
        this.onTerminated(entry, update);
    }
  }

  private onTerminated(entry: Entry, update: NotifyUpdate): void {
    // RFC 6665 §4.1.3 reasons.
    switch (update.reason) {
      case 'rejected':
      case 'noresource':
      case 'invariant':
        // Not sharing presence. Never a loop: asked again at the next sign-in, when the person says
        // "Ask again", or after REASK_MS (people change their minds, and no server tells us).
        this.update(entry, { subscription: 'rejected', presence: OFFLINE });
        this.subscribeAgainIn(entry, REASK_MS);
        return;
      case 'deactivated':
      case 'timeout': {
        const looping = this.clock.now() - entry.startedAt < LOOP_WINDOW_MS;
        this.update(entry, { subscription: 'subscribing', presence: entry.state.presence });
        if (looping) this.scheduleRetry(entry);
        else this.enqueue(entry.uri);
        return;
      }
      default:
        // probation, giveup, none: wait as told (retry-after is in seconds), or back off.
        this.update(entry, { subscription: 'failed', presence: OFFLINE });
        this.scheduleRetry(entry, update.retryAfter);
    }
  }

  private onFailure(entry: Entry, failure: SubscribeFailure): void {
    this.release(entry);
    entry.subscription = undefined;
    if (failure.kind === 'response' && (failure.status === 403 || failure.status === 603)) {
      this.update(entry, { subscription: 'rejected', presence: OFFLINE });
      this.subscribeAgainIn(entry, REASK_MS);
      return;
    }
    // 489 Bad Event, 501, and 405 from a contact's own device that takes no SUBSCRIBE: it does not do
    // presence at all, and asking again will not change that.
    if (failure.kind === 'response' && (failure.status === 489 || failure.status === 501 || failure.status === 405)) {
      // The other side does not do presence at all: nothing to retry.
      this.update(entry, { subscription: 'failed', presence: OFFLINE });
      return;
    }
    this.log.debug(`subscribe ${entry.uri} failed: ${failure.kind === 'response' ? failure.status : 'timeout'}`);
    this.update(entry, { subscription: 'failed', presence: OFFLINE });
    this.scheduleRetry(entry, failure.kind === 'response' ? failure.retryAfter : undefined);
  }

  /** Subscribes `entry` again after `ms`, if it is still watched and Parley is online then. */
  private subscribeAgainIn(entry: Entry, ms: number): void {
    entry.retryTimer.schedule(ms, () => {
      if (this.session && this.entries.get(entry.uri) === entry) this.enqueue(entry.uri);
    });
  }

  private scheduleRetry(entry: Entry, retryAfterSeconds?: number): void {
    entry.failures++;
    // A Retry-After from the network is a lower bound, never a reason to retry sooner than the
    // backoff (a `retry-after=0` on every NOTIFY would otherwise be a tight loop), and a day at most.
    const backoff = backoffDelay(entry.failures, this.options.random ?? Math.random, this.options.backoff ?? SUBSCRIBE_BACKOFF);
    this.subscribeAgainIn(entry, Math.min(Math.max(backoff, (retryAfterSeconds ?? 0) * 1000), MAX_RETRY_MS));
  }

  private presenceFrom(uri: string, update: NotifyUpdate): Presence {
    // An active subscription without a document: the presentity publishes nothing, i.e. offline.
    if (update.body.trim() === '' || !update.contentType.includes('pidf')) return OFFLINE;
    try {
      return parsePidf(update.body, {
        now: this.clock.now(),
        languages: this.options.languages ?? [Intl.DateTimeFormat().resolvedOptions().locale],
      });
    } catch (error) {
      this.log.warn(`unreadable presence document from ${uri}: ${String(error)}`);
      return OFFLINE;
    }
  }

  private release(entry: Entry): void {
    if (!entry.inFlight) return;
    entry.inFlight = false;
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.pump();
  }

  private update(entry: Entry, state: WatchState): void {
    const before = entry.state;
    entry.state = state;
    if (
      before.subscription !== state.subscription ||
      before.presence.availability !== state.presence.availability ||
      before.presence.note !== state.presence.note
    ) {
      this.onChange(entry.uri, state);
    }
  }
}
