import type { Core, URI } from 'sip.js';
import type { SipSession } from '../sip/sip-session.js';
import { createLogger, type Logger } from '../logger.js';
import { backoffDelay } from '../sip/backoff.js';
import { systemClock, type Clock } from '../base/clock.js';
import { withTimeout } from '../base/timeout.js';
import { Timer } from '../base/timer.js';

type IncomingResponse = Core.IncomingResponse;

/** Answers that mean "no presence service here" (RFC 3903 §6, RFC 6665 §8.3.2). */
const UNSUPPORTED = [404, 405, 482, 489, 501];
/** How often to ask again once the server has shown it takes no PUBLISH. */
const LONG_RETRY_MS = 30 * 60_000;

/**
 * One presence publication (RFC 3903), one PUBLISH in flight at a time. sip.js's `Publisher` sends a
 * new PUBLISH whenever asked, so quick status changes race each other with the same SIP-If-Match,
 * the server answers 412, and the Publisher ends in a state error thrown inside the transport's
 * message handler, which silently wedges the whole user agent. Here the latest wanted document waits
 * for the previous answer (intermediate states are skipped: only the newest matters), 412 starts a
 * fresh publication, 423 raises Expires to the server's minimum, and the entity tag is refreshed
 * before it expires.
 */
export class PresencePublisher {
  private etag: string | undefined;
  private expires: number;
  private inFlight = false;
  /** The document to publish next; `null` means remove the publication. */
  private wanted: string | null | undefined;
  private published: string | undefined;
  private readonly refreshTimer: Timer;
  private readonly retryTimer: Timer;
  private readonly clock: Clock;
  private failures = 0;
  /** Set once the server has shown it takes no PUBLISH (see `unsupported`). */
  private refused = false;
  private disposed = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly log: Logger;

  constructor(
    private readonly session: SipSession,
    private readonly target: URI,
    private readonly options: {
      expires: number;
      etag?: string;
      clock?: Clock;
      logger?: Logger;
      /** Told when the server turns out to take no publication, and when it takes one again. */
      onSupportChange?: (supported: boolean) => void;
    },
  ) {
    this.clock = options.clock ?? systemClock;
    this.refreshTimer = new Timer(this.clock);
    this.retryTimer = new Timer(this.clock);
    this.expires = options.expires;
    this.etag = options.etag;
    this.log = options.logger ?? createLogger('presence');
  }

  /**
   * The entity tag of the publication on the server. Carried over a reconnect so that the next
   * PUBLISH modifies that publication instead of adding a second one beside it (RFC 3903 §4.4),
   * which the server would keep, and aggregate, until it expired.
   */
  get entityTag(): string | undefined {
    return this.etag;
  }

  /** Publishes this PIDF document (replacing whatever is published or queued). */
  publish(body: string): void {
    this.wanted = body;
    this.pump();
  }

  /** Removes the publication (PUBLISH with Expires: 0, RFC 3903 §4.5); resolves when answered or after `timeoutMs`. */
  async unpublish(timeoutMs = 2_000): Promise<void> {
    this.wanted = null;
    this.pump();
    await withTimeout(this.idle(), timeoutMs, this.clock);
  }

  /** Stops timers; nothing more is sent. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private idle(): Promise<void> {
    if (!this.inFlight && this.wanted === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.disposed || this.inFlight || this.wanted === undefined) {
      if (!this.inFlight && this.wanted === undefined) for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const wanted = this.wanted;
    this.wanted = undefined;
    if (wanted === null) {
      if (!this.etag) return this.pump();
      this.send(undefined, 0);
    } else {
      this.send(wanted, this.expires);
    }
  }

  /** Sends a PUBLISH: a document, a refresh (no body) or a removal (expires 0). */
  private send(body: string | undefined, expires: number): void {
    this.inFlight = true;
    this.clearTimers();
    const headers = [`Event: presence`, `Expires: ${expires}`];
    if (this.etag) headers.push(`SIP-If-Match: ${this.etag}`);
    const withTag = this.etag !== undefined;
    const done = (response: IncomingResponse) => this.onResponse(response, body, expires, withTag);
    this.session.publish(this.target, headers, body === undefined ? undefined : { contentType: 'application/pidf+xml', content: body }, {
      onAccept: done,
      onReject: done,
      onRedirect: done,
    });
  }

  private onResponse(response: IncomingResponse, body: string | undefined, expires: number, withTag: boolean): void {
    this.inFlight = false;
    if (this.disposed) return this.pump();
    const status = response.message.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      this.failures = 0;
      this.setRefused(false);
      if (expires === 0) {
        this.etag = undefined;
        this.published = undefined;
      } else {
        this.etag = response.message.getHeader('sip-etag') ?? this.etag;
        if (body !== undefined) this.published = body;
        // RFC 3903 §6: the server may shorten the publication, never lengthen it.
        const offered = Number(response.message.getHeader('expires') ?? expires);
        const granted = Number.isFinite(offered) && offered >= 0 ? Math.min(offered, expires) : expires;
        // Refresh (no body, same entity tag) before the publication expires (RFC 3903 §4.2).
        if (this.wanted === undefined && granted > 0)
          this.refreshTimer.schedule(granted * 900, () => {
            if (!this.inFlight && this.wanted === undefined) this.send(undefined, this.expires);
          });
      }
    } else if (status === 412 && withTag) {
      // The server does not know our entity tag (expired, server restarted): publish afresh, once —
      // a fresh PUBLISH carries no tag, so a second 412 falls to the backoff below.
      this.etag = undefined;
      if (this.wanted === undefined && expires !== 0 && this.published !== undefined) this.wanted = body ?? this.published;
    } else if (status === 423 && minimumExpires(response) > this.expires && expires !== 0) {
      // RFC 3903 §6: 423 names the shortest interval the server takes (a day at most, see
      // network-bounds.ts). Retried at once only when it raised ours: a server that keeps
      // answering 423 falls to the backoff below.
      this.expires = Math.min(minimumExpires(response), 24 * 3600);
      if (this.wanted === undefined) this.wanted = body ?? this.published;
    } else {
      this.log.warn(`PUBLISH failed: ${status} ${response.message.reasonPhrase ?? ''}`);
      this.failures++;
      // A server without a presence service says so (404, 405, 482 loop, 489 Bad Event, 501), or
      // fails the same way again and again: tell the person, and ask again only now and then.
      if (UNSUPPORTED.includes(status) || this.failures >= 3) this.setRefused(true);
      if (expires !== 0 && this.wanted === undefined) {
        const again = body ?? this.published;
        const delay = this.refused ? LONG_RETRY_MS : backoffDelay(this.failures);
        this.retryTimer.schedule(delay, () => {
          if (this.wanted === undefined && again !== undefined) this.publish(again);
        });
      }
    }
    this.pump();
  }

  private setRefused(refused: boolean): void {
    if (this.refused === refused) return;
    this.refused = refused;
    this.options.onSupportChange?.(!refused);
  }

  private clearTimers(): void {
    this.refreshTimer.cancel();
    this.retryTimer.cancel();
  }
}

/** The Min-Expires of a 423 answer (NaN when it has none, which compares as no raise). */
function minimumExpires(response: IncomingResponse): number {
  return Number(response.message.getHeader('min-expires'));
}
