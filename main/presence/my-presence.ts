import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { effectiveStatus, type MyPresence, type MyStatus } from '../../shared/domain/presence.js';
import { createLogger, type Logger } from '../logger.js';
import type { SessionParticipant, SipAccountConfig } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { Interval } from '../base/timer.js';
import { DEFAULT_ACCOUNT_STATE, getAccountState, updateAccountState } from '../store/account-state-repository.js';
import { buildPidf, cleanNote } from './pidf.js';
import { PresencePublisher } from './presence-publisher.js';

export interface MyPresenceOptions {
  /** PUBLISH Expires in seconds (the server may grant less). */
  readonly publishExpires?: number;
  /** How often to look at the idle time, in ms. */
  readonly idleCheckMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * My presence: the status and note I chose, automatic Away when idle (only over Available: a status
 * I chose by hand is never overridden), published as PIDF+RPID with PUBLISH (RFC 3903) while signed
 * in, refreshed by sip.js before expiry, published again after every reconnect and removed on
 * sign-out.
 */
export class MyPresenceService implements SessionParticipant {
  private publisher: PresencePublisher | undefined;
  /** The publication's entity tag kept across a reconnect, per account. */
  private lastPublication: { entity: string; etag: string } | undefined;
  private entity = '';
  private idle = false;
  private inCall = false;
  /** False once the server showed it carries no presence (reset by a successful PUBLISH). */
  private shared = true;
  private lastActivity: number;
  private readonly idleTimer: Interval;
  private readonly changes = new Emitter<MyPresence>();
  /** My status, note or idle state changed. */
  readonly onDidChange = this.changes.event;
  private readonly clock: Clock;
  private readonly tupleId = `t${randomBytes(4).toString('hex')}`;
  private readonly log: Logger;

  constructor(
    private readonly db: Database,
    /** Whose presence this is: the signed-in account, or the remembered one while signed out. */
    private readonly owner: () => string | undefined,
    private readonly options: MyPresenceOptions = {},
  ) {
    this.log = options.logger ?? createLogger('presence');
    this.clock = options.clock ?? systemClock;
    this.idleTimer = new Interval(this.clock);
    this.lastActivity = this.now();
  }

  /** What I chose, and whether idle currently shows me Away. */
  get current(): MyPresence {
    const owner = this.owner();
    const state = owner ? getAccountState(this.db, owner) : DEFAULT_ACCOUNT_STATE;
    return {
      status: state.status,
      note: state.note,
      idle: this.idle,
      idleMinutes: state.idleMinutes,
      ...(this.inCall ? { inCall: true } : {}),
      ...(this.shared ? {} : { notShared: true }),
    };
  }

  /** What others see now. */
  get effectiveStatus(): MyStatus {
    return effectiveStatus(this.current);
  }

  /** Sets my status and note (a manual choice also ends idle-Away). */
  set(status: MyStatus, note?: string): MyPresence {
    const owner = this.owner();
    if (owner) updateAccountState(this.db, owner, { status, ...(note !== undefined ? { note: cleanNote(note) } : {}) });
    this.idle = false;
    this.lastActivity = this.now();
    this.changed();
    return this.current;
  }

  /** A call began or ended: others see "In a call" meanwhile (published at once). */
  setInCall(inCall: boolean): void {
    if (this.inCall === inCall) return;
    this.inCall = inCall;
    this.changed();
  }

  setIdleMinutes(minutes: number): MyPresence {
    const owner = this.owner();
    if (owner) updateAccountState(this.db, owner, { idleMinutes: minutes });
    this.checkIdle();
    this.changed();
    return this.current;
  }

  /** Input happened (web mode: on the page). */
  reportActivity(): void {
    this.lastActivity = this.now();
    if (this.idle) {
      this.idle = false;
      this.changed();
    }
  }

  /** The system says there has been no input for this long (desktop: Electron's idle time). */
  reportIdleSeconds(seconds: number): void {
    this.lastActivity = Math.min(this.lastActivity, this.now() - seconds * 1000);
    if (seconds < 5) this.reportActivity();
    else this.checkIdle();
  }

  online(session: SipSession, account: SipAccountConfig): void {
    this.entity = account.uri;
    this.keepPublication();
    this.publisher?.dispose();
    const target = session.makeURI(account.uri);
    if (!target) return;
    const etag = this.lastPublication?.entity === account.uri ? this.lastPublication.etag : undefined;
    this.publisher = new PresencePublisher(session, target, {
      expires: this.options.publishExpires ?? 600,
      clock: this.clock,
      logger: this.log,
      onSupportChange: (supported) => {
        if (this.shared === supported) return;
        this.shared = supported;
        this.changes.fire(this.current);
      },
      ...(etag ? { etag } : {}),
    });
    this.publish();
    if (!this.idleTimer.running) this.idleTimer.start(this.options.idleCheckMs ?? 15_000, () => this.checkIdle());
  }

  offline(): void {
    // The publication still stands on the server; the next online() modifies it (same entity tag).
    this.keepPublication();
    this.publisher?.dispose();
    this.publisher = undefined;
  }

  async signOut(): Promise<void> {
    this.stopIdleTimer();
    const publisher = this.publisher;
    this.publisher = undefined;
    if (!publisher) return;
    // RFC 3903 §4.5: remove the publication (PUBLISH with Expires: 0).
    await publisher.unpublish();
    publisher.dispose();
    this.lastPublication = undefined;
  }

  private keepPublication(): void {
    const etag = this.publisher?.entityTag;
    if (etag) this.lastPublication = { entity: this.entity, etag };
  }

  private checkIdle(): void {
    const { idleMinutes, status } = this.current;
    const shouldBeIdle = status === 'available' && idleMinutes > 0 && this.now() - this.lastActivity >= idleMinutes * 60_000;
    if (shouldBeIdle !== this.idle) {
      this.idle = shouldBeIdle;
      this.changed();
    }
  }

  private changed(): void {
    this.publish();
    this.changes.fire(this.current);
  }

  private publish(): void {
    if (!this.publisher) return;
    const body = buildPidf(this.entity, this.effectiveStatus, this.current.note, this.tupleId, this.inCall);
    this.publisher.publish(body);
  }

  private stopIdleTimer(): void {
    this.idleTimer.cancel();
  }

  /** Stops timers (engine shutdown). */
  dispose(): void {
    this.stopIdleTimer();
  }

  private now(): number {
    return this.clock.now();
  }
}
