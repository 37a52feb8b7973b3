import { Core, type URI } from 'sip.js';
import { systemClock, type Clock } from '../base/clock.js';
import { withTimeout } from '../base/timeout.js';
import { Timer } from '../base/timer.js';
import type { SipSession } from '../sip/sip-session.js';

type IncomingNotifyRequest = Core.IncomingNotifyRequest;
/** How long the dialog waits for the final NOTIFY after our un-SUBSCRIBE (it comes within milliseconds). */
const FINAL_NOTIFY_GRACE_MS = 5_000;
type OutgoingSubscribeRequest = Core.OutgoingSubscribeRequest;
type Subscription = Core.Subscription;
const { SubscriptionState } = Core;

/** What one NOTIFY said (RFC 6665 §4.1.3): the subscription state and the body, if any. */
export interface NotifyUpdate {
  readonly state: 'pending' | 'active' | 'terminated';
  /** For `terminated`: why (rejected, deactivated, probation, timeout, giveup, noresource, invariant). */
  readonly reason?: string;
  /** Seconds to wait before subscribing again, when the notifier said so. */
  readonly retryAfter?: number;
  readonly contentType: string;
  readonly body: string;
}

/** Why a subscription could not be set up. */
export type SubscribeFailure =
  /** A final non-2xx answer to SUBSCRIBE. */
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: number }
  /** 2xx but no NOTIFY in time (Timer N, RFC 6665 §4.1.2.4), or no answer at all. */
  | { readonly kind: 'timeout' };

export interface EventSubscriptionOptions {
  readonly event: string;
  readonly accept: string;
  readonly expires: number;
  readonly onNotify: (update: NotifyUpdate) => void;
  readonly onFailure: (failure: SubscribeFailure) => void;
  /** Give up waiting for the first NOTIFY after this long (sip.js's Timer N is a fixed 32 s). */
  readonly notifyTimeoutMs?: number;
  readonly clock?: Clock;
}

/** Parses `Subscription-State: active;expires=600` and friends. */
export function parseSubscriptionState(header: string | undefined): Pick<NotifyUpdate, 'state' | 'reason' | 'retryAfter'> {
  const [value = '', ...params] = (header ?? '').split(';').map((part) => part.trim());
  const state = value.toLowerCase();
  const named: Record<string, string> = {};
  for (const param of params) {
    const [key = '', val = ''] = param.split('=').map((part) => part.trim());
    named[key.toLowerCase()] = val;
  }
  const retryAfter = named['retry-after'] !== undefined && /^\d+$/.test(named['retry-after']) ? Number(named['retry-after']) : undefined;
  const reason = named.reason?.toLowerCase();
  const normalised = state === 'pending' || state === 'active' ? state : 'terminated';
  return { state: normalised, ...(reason ? { reason } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

/**
 * One SUBSCRIBE dialog on sip.js's core, without the `Subscriber` API's own re-subscribe policy
 * (it re-subscribes at once on probation/deactivated/timeout and reads retry-after as milliseconds,
 * see ../shared/reference/kamailio.md traps 6–8): every NOTIFY is answered and reported, and what
 * happens after a termination is the caller's decision. The dialog refreshes itself before expiry.
 */
export class EventSubscription {
  private request: OutgoingSubscribeRequest | undefined;
  private dialog: Subscription | undefined;
  private finished = false;
  private readonly notifyTimer: Timer;
  /** After our un-SUBSCRIBE: how long the dialog waits for the notifier's final NOTIFY. */
  private readonly finalGrace: Timer;

  constructor(
    private readonly session: SipSession,
    private readonly target: URI,
    private readonly options: EventSubscriptionOptions,
  ) {
    this.notifyTimer = new Timer(options.clock ?? systemClock);
    this.finalGrace = new Timer(options.clock ?? systemClock);
  }

  /** True once a NOTIFY created the dialog and it has not terminated. */
  get established(): boolean {
    return this.dialog !== undefined && this.dialog.subscriptionState !== SubscriptionState.Terminated;
  }

  /** Sends the initial SUBSCRIBE. */
  start(): void {
    // RFC 6665 §4.1.2.4 lets the subscriber give up when no NOTIFY comes; 32 s of "Updating…" is
    // too long for a person watching a buddy list, and a retry usually succeeds.
    this.notifyTimer.schedule(this.options.notifyTimeoutMs ?? 10_000, () => this.fail({ kind: 'timeout' }));
    this.request = this.session.subscribe(
      this.target,
      [`Event: ${this.options.event}`, `Expires: ${this.options.expires}`, `Accept: ${this.options.accept}`],
      {
        onNotify: ({ request, subscription }) => {
          if (subscription && !this.dialog) {
            this.dialog = subscription;
            subscription.autoRefresh = true;
            subscription.delegate = { onNotify: (next) => this.handleNotify(next) };
          }
          this.handleNotify(request);
        },
        onNotifyTimeout: () => this.fail({ kind: 'timeout' }),
        onReject: (response) => {
          const retry = response.message.getHeader('retry-after');
          this.fail({
            kind: 'response',
            status: response.message.statusCode ?? 0,
            ...(retry && /^\d+$/.test(retry.trim()) ? { retryAfter: Number(retry.trim()) } : {}),
          });
        },
        onRedirect: (response) => this.fail({ kind: 'response', status: response.message.statusCode ?? 0 }),
      },
    );
  }

  /**
   * Ends the subscription politely (SUBSCRIBE with Expires: 0, RFC 6665 §4.1.2.3) and waits for the
   * answer at most `timeoutMs`; a subscription without a dialog is just dropped.
   */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.finished = true;
    this.clearNotifyTimer();
    const dialog = this.dialog;
    this.dropRequest();
    if (!dialog || dialog.subscriptionState === SubscriptionState.Terminated) return;
    const answered = new Promise<void>((resolve) => {
      try {
        const request = dialog.unsubscribe();
        const done = () => resolve();
        request.delegate = { onAccept: done, onReject: done, onRedirect: done };
      } catch {
        resolve();
      }
    });
    await withTimeout(answered, timeoutMs, this.options.clock ?? systemClock);
    // RFC 6665 §4.1.2.3: the notifier answers an un-SUBSCRIBE with a final NOTIFY (terminated).
    // The dialog stays until it arrives (or a short grace passes), so that NOTIFY gets its 200,
    // not a 481 for a subscription we forgot too early.
    this.finalGrace.schedule(FINAL_NOTIFY_GRACE_MS, () => this.forget(dialog));
  }

  private forget(dialog: Subscription): void {
    this.finalGrace.cancel();
    try {
      dialog.dispose();
    } catch {
      // already gone
    }
    if (this.dialog === dialog) this.dialog = undefined;
  }

  /** Forgets the subscription without a word (its transport is gone). */
  dispose(): void {
    this.finished = true;
    this.clearNotifyTimer();
    this.finalGrace.cancel();
    this.dropRequest();
    try {
      this.dialog?.dispose();
    } catch {
      // already gone
    }
    this.dialog = undefined;
  }

  private handleNotify(request: IncomingNotifyRequest): void {
    // RFC 6665 §4.1.3: answer every NOTIFY, even one we no longer care about.
    request.accept();
    this.clearNotifyTimer();
    if (this.finished) {
      // The final NOTIFY after our un-SUBSCRIBE: answered above, now the dialog can go.
      const state = parseSubscriptionState(request.message.getHeader('subscription-state')).state;
      if (state === 'terminated' && this.dialog && this.finalGrace.pending) this.forget(this.dialog);
      return;
    }
    const message = request.message;
    const update: NotifyUpdate = {
      ...parseSubscriptionState(message.getHeader('subscription-state')),
      contentType: (message.getHeader('content-type') ?? '').split(';')[0]!.trim().toLowerCase(),
      body: message.body ?? '',
    };
    if (update.state === 'terminated') this.finished = true;
    guard(() => this.options.onNotify(update));
  }

  private clearNotifyTimer(): void {
    this.notifyTimer.cancel();
  }

  private fail(failure: SubscribeFailure): void {
    this.clearNotifyTimer();
    if (this.finished) return;
    this.finished = true;
    this.dropRequest();
    guard(() => this.options.onFailure(failure));
  }

  private dropRequest(): void {
    const request = this.request;
    this.request = undefined;
    if (!request) return;
    try {
      request.waitNotifyStop();
      request.dispose();
    } catch {
      // already disposed
    }
  }
}

/**
 * Runs a callback from inside sip.js's message handling. An exception escaping there is rethrown by
 * the transport and leaves the user agent deaf without closing the connection, so it stops here.
 */
function guard(action: () => void): void {
  try {
    action();
  } catch (error) {
    process.stderr.write(
      `parley: error in a subscription handler: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
}
