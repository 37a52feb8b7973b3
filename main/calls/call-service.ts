import { randomUUID } from 'node:crypto';
import { Invitation, Inviter, SessionState, type Core, type Referral, type Session, type URI } from 'sip.js';
import {
  CALL_END_REASONS,
  heldByThem,
  CallEndReason,
  rejectionEnd,
  RING_TIMEOUT_MS,
  TRANSFER_ASK_MS,
  type TransferRequest,
  type Call,
  type CallEnd,
  type CallOutcome,
  type CallRecord,
  type MissedCalls,
} from '../../shared/domain/calls.js';
import { parseSipAddress, type SipAddress } from '../../shared/domain/sip-address.js';
import { dialTarget, numberOf } from '../../shared/domain/phone.js';
import { cleanText } from '../../shared/domain/text.js';
import { Problem, type CallChange } from '../../shared/domain/problem.js';
import { err, ok, type IpcError, type Result } from '../../shared/ipc/result.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { createLogger, type Logger } from '../logger.js';
import type { SessionParticipant } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { addressOf } from '../sip/uri.js';
import { BridgedDescriptionHandler, CallFailure, type BridgedOptions } from './bridged-description-handler.js';
import { CallSession, type NewCall } from './call-session.js';
import { unusableSdp } from './sdp.js';
import type { Database } from 'better-sqlite3';
import { callHistory, markMissedSeen, recordCall, unseenMissed, unseenMissedFrom } from '../store/call-history-repository.js';
import { MediaBridge, type MediaReply } from './media-bridge.js';

/** Calls at once (one talking, one waiting or held); an INVITE beyond that is answered 486. */
export const MAX_CALLS = 2;
/** Redirections (3xx) one call follows before it gives up: a loop of forwards must end. */
export const MAX_REDIRECTS = 3;
/**
 * How long a call rings here before Parley stops it (480, "Missed call"): a caller or server that
 * never cancels must not leave a call ringing for ever.
 */
export const INCOMING_RING_MS = 90_000;
/**
 * How long a call waits for the connection to the server to come back (and the other side to take
 * the reconnecting re-INVITE) before it ends as lost, never lingering as a silent dead call.
 */
export const CALL_RECONNECT_MS = 30_000;
/**
 * How long a call's media may stay stopped (ICE disconnected or failed: the other side, or the
 * path to it, went away without a BYE) before the call ends as lost.
 */
export const MEDIA_LOSS_MS = 15_000;

/** Between tries of the reconnecting re-INVITE while the other side may still be offline. */
const RECONNECT_RETRY_MS = 2_000;

/** How an ended call stays in the list (its reason shown) before it is cleared away. */
const ENDED_LINGER_MS = 8_000;

export interface CallServiceOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** True while I am in Do not disturb: incoming calls are declined (486) without ringing. */
  readonly doNotDisturb?: () => boolean;
  /** The country whose national numbers the keypad takes. */
  readonly defaultCountry?: () => string;
  /** How long a page may take to answer a media request. */
  readonly mediaDeadlineMs?: number;
  /** How long an outgoing call rings before it gives up as No answer (default `RING_TIMEOUT_MS`). */
  readonly ringMs?: number;
  /** How long a call waits for a lost connection to the server (default `CALL_RECONNECT_MS`). */
  readonly reconnectMs?: number;
  /** How long a call's media may stay stopped before it ends (default `MEDIA_LOSS_MS`). */
  readonly mediaLossMs?: number;
  /** The name of the contact who has this phone number (E.164), for a call from the phone network. */
  readonly nameForNumber?: (e164: string) => string | undefined;
  /** The name of the contact with this SIP address (a transfer target is shown by it). */
  readonly nameForAddress?: (uri: string) => string | undefined;
  /** Whether I blocked this address (its calls are refused without ringing and leave no trace). */
  readonly isBlocked?: (uri: string) => boolean;
  /** Whether this address is one of my contacts (anyone else's call rings as a stranger's). */
  readonly isContact?: (uri: string) => boolean;
  /**
   * The domain my phone-network gateway's calls come from when it is not my own (or empty): its
   * callers' numbers are believed like my own server's.
   */
  readonly gateway?: () => string;
}

/**
 * Calls from people not in my contacts ringing at once: one more is answered 486 and leaves no
 * history row, so INVITEs from strangers (never cancelled, from invented addresses) can neither
 * keep my line busy for a contact nor grow the history.
 */
export const MAX_STRANGER_CALLS = 1;

/**
 * Calls (SIP INVITE dialogs, RFC 3261 §13–15) for the signed-in account. The dialogs live here;
 * the media (RTCPeerConnection, microphone, camera) lives in the page that started or answered the
 * call, reached through the media bridge by sip.js's session description handler.
 */
export class CallService implements SessionParticipant {
  readonly media: MediaBridge;
  private readonly changes = new Emitter<readonly Call[]>();
  /** Calls began, changed or ended. */
  readonly onDidChange = this.changes.event;
  private readonly entries = new Map<string, CallSession>();
  private readonly bySession = new WeakMap<Session, CallSession>();
  private session: SipSession | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;

  private readonly recorded = new Emitter<{ readonly record: CallRecord; readonly missed: MissedCalls }>();
  /** A call went into the history, with its peer's missed calls not yet seen (to merge into the whole). */
  readonly onDidRecord = this.recorded.event;
  private readonly seen = new Emitter<MissedCalls>();
  /** Missed calls were seen (the count went down). */
  readonly onDidChangeMissed = this.seen.event;

  constructor(
    private readonly db: Database,
    incoming: SipSession,
    private readonly owner: () => string | undefined,
    private readonly options: CallServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('calls');
    this.media = new MediaBridge(this.clock, options.mediaDeadlineMs);
    // In-dialog INFO (their keypad tones) and REFER (a transfer, asked of me first) come with calls.
    incoming.handle('INVITE', (invitation) => this.incoming(invitation), ['ACK', 'BYE', 'CANCEL', 'INFO', 'REFER']);
    // RFC 3515 allows REFER outside a dialog; Parley takes one only inside a call, where the person
    // it would make me call someone for is on the line (403: understood, not done).
    incoming.handle('REFER', (request) => void request.reject({ statusCode: 403 }));
    incoming.descriptionHandlers = (session) => {
      const entry = this.bySession.get(session);
      if (!entry) throw new Error('A call Parley does not know.');
      return new BridgedDescriptionHandler(this.media, {
        id: entry.call.id,
        token: () => entry.token,
        video: () => entry.call.video,
        held: () => entry.call.held,
        remoteMedia: ({ held, video }) => {
          entry.theirMedia({ held, camera: video });
        },
        failed: (end) => {
          if (!entry.call.end) entry.update({ end });
        },
      });
    };
  }

  /** Set once the engine closes: nothing more is recorded (the database is closing). */
  private disposed = false;

  list(): readonly Call[] {
    return [...this.entries.values()].map((entry) => entry.call);
  }

  /**
   * Calls `peer` — a SIP address, or a phone number (E.164 or national in the default country) that
   * goes to my own server as `sip:+E164@domain;user=phone`; the page with `token` holds the media.
   */
  start(peer: string, video: boolean, token: string): Result<Call> {
    const session = this.session;
    const me = parseSipAddress(this.owner() ?? '');
    if (!session?.connected || !me) return err('state', Problem.SignInForCalls);
    const dialled = this.dialled(peer, me.host);
    const target = dialled?.target;
    if (!dialled || !target) {
      const country =
        /^[\d\s()+\-.]+$/.test(peer.trim()) && !peer.trim().startsWith('+') && !this.options.defaultCountry?.() ? 'missing' : 'given';
      return err('invalid', Problem.NotSipAddressOrNumber, { field: 'peer', values: { country } });
    }
    if (dialled.uri === me.uri) return err('invalid', Problem.ThatIsYou, 'peer');
    if (this.engaged().length >= MAX_CALLS) return err('state', Problem.EndACallFirst);
    if (this.live().some((entry) => entry.call.state === 'connected' && !entry.call.held)) {
      return err('state', Problem.HoldFirst);
    }
    const inviter = session.inviter(target, { earlyMedia: true });
    return ok(this.dial(inviter, { peer: dialled.uri, ...(dialled.kind === 'phone' ? { number: dialled.e164 } : {}) }, video, token).call);
  }

  /**
   * Blind transfer (RFC 3515 REFER, RFC 5589 §6): asks the other side of call `id` to call `target`
   * instead. Their 202 only means they will think about it (a person may be asked, as Parley asks);
   * the call ends when their NOTIFY says the new call was answered (§2.4.5: a 2xx sipfrag), and goes
   * on, with the reason shown, when it says the new call failed or they declined.
   */
  async transfer(id: string, target: string): Promise<Result<void>> {
    const entry = this.entries.get(id);
    const me = parseSipAddress(this.owner() ?? '');
    if (!entry || entry.call.state !== 'connected' || !me || !this.session) return err('state', Problem.CallNotConnected);
    if (entry.call.transferring) return err('state', Problem.AlreadyTransferring);
    const dialled = this.dialled(target, me.host);
    if (!dialled) return err('invalid', Problem.NotSipAddressOrNumber, 'target');
    const refused = await new Promise<Omit<IpcError, 'kind'> | undefined>((resolve) => {
      entry.sip
        .refer(dialled.target, {
          requestDelegate: {
            onAccept: () => resolve(undefined),
            onReject: (response) => resolve({ problem: Problem.TransferRefused, end: rejectionEnd(response.message.statusCode ?? 500) }),
          },
          onNotify: (notification) => {
            void notification.accept().catch(() => undefined);
            this.transferProgress(entry, notification.request);
          },
        })
        .catch((error: unknown) => {
          this.log.warn(`REFER could not be sent: ${String(error)}`);
          resolve({ problem: Problem.TransferFailed });
        });
    });
    if (refused) return err('state', refused.problem, refused);
    if (entry.call.state !== 'connected') return ok(undefined);
    // A final NOTIFY may already have come with (or before) the 202.
    if (entry.call.end?.reason === CallEndReason.Transferred) return ok(undefined);
    entry.update({ transferring: dialled.kind === 'phone' ? dialled.e164 : dialled.uri, transferProblem: undefined });
    // They may ask a person first, then ring the target: wait for both, then keep the call.
    entry.transferTimer.schedule(TRANSFER_ASK_MS + (this.options.ringMs ?? RING_TIMEOUT_MS), () => {
      if (entry.call.transferring && entry.call.state === 'connected') {
        entry.update({ transferring: undefined, transferProblem: { kind: 'noWord' } });
      }
    });
    return ok(undefined);
  }

  /** Their NOTIFY about a transfer I asked for (RFC 3515 §2.4.5, a message/sipfrag status line). */
  private transferProgress(entry: CallSession, request: Core.IncomingRequestMessage): void {
    const status = Number(/^SIP\/2\.0\s+(\d{3})/.exec(typeof request.body === 'string' ? request.body : '')?.[1] ?? 0);
    const terminated = /^\s*terminated/i.test(request.getHeader('Subscription-State') ?? '');
    if (status < 200 && !terminated) return;
    entry.transferTimer.cancel();
    if (entry.call.state !== 'connected') return;
    if (status >= 200 && status < 300) {
      entry.update({ end: { reason: CallEndReason.Transferred }, transferring: undefined });
      void entry.sip.bye().catch((error: unknown) => this.log.debug(`bye after transfer: ${String(error)}`));
      return;
    }
    entry.update({
      transferring: undefined,
      transferProblem: { kind: 'failed', ...(status >= 300 ? { end: rejectionEnd(status) } : {}) },
    });
  }

  /** What `input` dials (an address, or a number through my own server) and the URI the INVITE or REFER goes to. */
  private dialled(input: string, myDomain: string) {
    const dialled = dialTarget(input, myDomain, this.options.defaultCountry?.());
    const target = dialled && this.session?.makeURI(dialled.kind === 'phone' ? dialled.requestUri : dialled.uri);
    return dialled && target ? { ...dialled, target } : undefined;
  }

  /** Sends the INVITE of a new outgoing call and follows it. */
  private dial(
    inviter: Inviter,
    who: { peer: string; number?: string },
    video: boolean,
    token: string | undefined,
    report?: (status: number, reason: string) => void,
    redirects = 0,
  ): CallSession {
    const entry = this.add(inviter, {
      id: randomUUID(),
      peer: who.peer,
      ...(who.number ? { number: who.number } : {}),
      peerName: '',
      direction: 'out',
      state: 'calling',
      video,
      held: false,
      startedAt: this.clock.now(),
    });
    entry.token = token;
    // The referrer hears one status per stage and exactly one final one.
    let finalTold = false;
    const tell = (status: number, reason: string) => {
      if (finalTold || !report) return;
      finalTold = status >= 200;
      report(status, reason);
    };
    entry.ringTimer.schedule(this.options.ringMs ?? RING_TIMEOUT_MS, () => {
      if (entry.call.state !== 'calling' && entry.call.state !== 'ringing') return;
      entry.update({ end: { reason: CallEndReason.NoAnswer } });
      void inviter.cancel().catch((error: unknown) => this.log.debug(`cancel: ${String(error)}`));
    });
    inviter
      .invite({
        requestDelegate: {
          onProgress: (response) => {
            const status = response.message.statusCode;
            if ((status === 180 || status === 183) && entry.call.state === 'calling') {
              entry.transition('ring');
              tell(180, 'Ringing');
            }
            // Early media (RFC 3960): an 18x with an answer — the phone network's ringback, or an
            // announcement ("the number is not available") — plays in the page until the 200; sip.js
            // sets that answer (earlyMedia on the inviter) and the call says what is heard.
            const sdp = /^application\/sdp\b/i.test(response.message.getHeader('Content-Type') ?? '') && response.message.body !== '';
            if (sdp && !entry.call.earlyMedia && (entry.call.state === 'calling' || entry.call.state === 'ringing')) {
              entry.transition('earlyMedia', { earlyMedia: true });
            }
          },
          onAccept: () => tell(200, 'OK'),
          // RFC 3261 §8.1.3.4: a 3xx names where the person can be reached now; the call follows it
          // (a few hops at most, to SIP addresses only) and says where it went.
          onRedirect: (response) => {
            const next = redirects < MAX_REDIRECTS ? this.redirectTarget(response.message.getHeaders('Contact')) : undefined;
            if (!next || this.entries.get(entry.call.id) !== entry) {
              tell(response.message.statusCode ?? 302, 'Moved');
              entry.update({ end: { reason: CallEndReason.ForwardUnfollowable, status: response.message.statusCode ?? 302 } });
              return;
            }
            entry.update({ end: { reason: CallEndReason.Forwarded, target: next.number ?? next.address.address } });
            this.clock.setTimeout(() => {
              const session = this.session;
              if (!session?.connected) return;
              this.dial(
                session.inviter(next.uri, { earlyMedia: true }),
                { peer: next.address.uri, ...(next.number ? { number: next.number } : {}) },
                video,
                token,
                report,
                redirects + 1,
              );
            }, 0);
          },
          onReject: (response) => {
            tell(response.message.statusCode ?? 500, cleanText(response.message.reasonPhrase ?? '', 64) || 'Failed');
            // Our own CANCEL (or the ring timeout) brings a 487: the reason already said stays.
            if (entry.call.end?.reason === CallEndReason.Cancelled || entry.call.end?.reason === CallEndReason.NoAnswer) return;
            entry.update({ end: rejectionEnd(response.message.statusCode ?? 500) });
          },
        },
      })
      .catch((error: unknown) => {
        tell(500, 'Failed');
        this.failed(entry, error);
      });
    return entry;
  }

  /** Where a 3xx sends the call: its first Contact that is a SIP address other than mine. */
  private redirectTarget(contacts: string[]): { uri: URI; address: SipAddress; number?: string } | undefined {
    const me = parseSipAddress(this.owner() ?? '')?.uri;
    for (const value of contacts.flatMap((header) => header.split(/,(?=\s*(?:"[^"]*"\s*)?<)/)).slice(0, 8)) {
      const raw = /<([^>]*)>/.exec(value)?.[1] ?? value.trim().split(';')[0] ?? '';
      const uri = this.session?.makeURI(raw.trim());
      if (!uri) continue;
      uri.clearHeaders();
      const address = addressOf(uri);
      if (!address || address.uri === me) continue;
      const number = numberOf(address.user);
      return { uri, address, ...(number ? { number } : {}) };
    }
    return undefined;
  }

  /**
   * The other side asks me to call someone else (they are transferring me, RFC 3515). Nothing is
   * dialled until the person says so: a REFER can name any address or a premium number through my
   * own gateway. The REFER is accepted (202: RFC 3515 §2.4.2, its outcome follows in NOTIFYs, so the
   * person may take their time within the REFER transaction's own timeout) and the question shown.
   */
  private referred(entry: CallSession, referral: Referral): void {
    const me = parseSipAddress(this.owner() ?? '');
    const target = referTarget(referral);
    // One question at a time, only in a connected call, never towards a third call (the call being
    // transferred still counts until it ends).
    if (!target || !me || entry.referral || entry.call.state !== 'connected' || this.live().length >= MAX_CALLS) {
      void referral.reject({ statusCode: 603 }).catch(() => undefined);
      return;
    }
    const number = numberOf(target.user);
    const myDomain = this.isMyNetwork(target.host);
    const request: TransferRequest = {
      target: target.uri,
      ...(number ? { number } : {}),
      // A contact's name only for an address or number on my own server: a stranger's domain may
      // reuse a colleague's number as its user part.
      name: (myDomain && number ? this.options.nameForNumber?.(number) : this.options.nameForAddress?.(target.uri)) ?? '',
      outside: !myDomain,
    };
    entry.referral = referral;
    void referral.accept().catch(() => undefined);
    this.referNotify(entry, 100, 'Trying', false);
    entry.update({ transferRequest: request });
    entry.referTimer.schedule(TRANSFER_ASK_MS, () => {
      if (entry.referral === referral) this.answerTransfer(entry.call.id, false);
    });
  }

  /**
   * The person answers a transfer request: Call (the old call goes on hold and the new one rings
   * out from the page that holds this one) or Decline (they are told 603 in the NOTIFY).
   */
  answerTransfer(id: string, accept: boolean): Result<Call | undefined> {
    const entry = this.entries.get(id);
    const referral = entry?.referral;
    if (!entry || !referral || !entry.call.transferRequest) return err('state', Problem.TransferRequestGone);
    const request = entry.call.transferRequest;
    entry.referral = undefined;
    entry.referTimer.cancel();
    entry.update({ transferRequest: undefined });
    if (!accept || entry.call.state !== 'connected' || this.engaged().length >= MAX_CALLS) {
      this.referNotify(entry, 603, 'Declined', true);
      return accept ? err('state', Problem.TransferredCallEnded) : ok(undefined);
    }
    const session = this.session;
    const target = session?.makeURI(request.target);
    if (!session || !target) {
      this.referNotify(entry, 503, 'Service Unavailable', true);
      return err('state', Problem.SignInForCalls);
    }
    entry.referAccepted = true;
    if (!entry.call.held) void this.hold(entry.call.id, true);
    // Not sip.js's referral.makeInviter(): its inviter reports to the referrer by itself, each NOTIFY
    // saying "Subscription-State: terminated" — the first (100 Trying) ends the implicit subscription
    // and the referrer refuses the rest (481), never hearing the final 200. This one reports through
    // referNotify: active while it goes on, terminated with the final status.
    const inviter = session.inviter(target, { earlyMedia: true, extraHeaders: referralHeaders(referral) });
    const next = this.dial(
      inviter,
      { peer: request.target, ...(request.number ? { number: request.number } : {}) },
      entry.call.video,
      entry.token,
      (status, reason) => this.referNotify(entry, status, reason, status >= 200),
    );
    return ok(next.call);
  }

  /**
   * Tells whoever referred me how their transfer goes (RFC 3515 §2.4.4–2.4.5): a NOTIFY in the
   * call's dialog with the status line of the new call as `message/sipfrag`; the last one ends the
   * implicit subscription, which is what lets a desk phone hang up its side.
   */
  private referNotify(entry: CallSession, status: number, reason: string, final: boolean): void {
    const dialog = entry.sip.dialog;
    if (!dialog || entry.sip.state !== SessionState.Established) return;
    const expires = Math.ceil((TRANSFER_ASK_MS + (this.options.ringMs ?? RING_TIMEOUT_MS)) / 1000);
    try {
      dialog.notify(undefined, {
        extraHeaders: ['Event: refer', `Subscription-State: ${final ? 'terminated;reason=noresource' : `active;expires=${expires}`}`],
        body: { contentDisposition: 'render', contentType: 'message/sipfrag;version=2.0', content: `SIP/2.0 ${status} ${reason}\r\n` },
      });
    } catch (error) {
      this.log.debug(`refer NOTIFY: ${String(error)}`);
    }
  }

  /**
   * Answers an incoming call; the page with `token` holds the media. A call waiting while another
   * is connected: that one goes on hold first (answer-and-hold, as desk phones do).
   */
  async answer(id: string, video: boolean, token: string): Promise<Result<Call>> {
    const entry = this.entries.get(id);
    if (!entry || !(entry.sip instanceof Invitation) || entry.call.state !== 'incoming') {
      return err('state', Problem.CallNotRinging);
    }
    for (const other of this.live()) {
      if (other === entry || other.call.state !== 'connected' || other.call.held) continue;
      const held = await this.hold(other.call.id, true);
      if (!held.ok) return err('state', Problem.HoldCurrentFailed, { cause: held.error });
    }
    if (entry.call.state !== 'incoming') return err('state', Problem.CallNotRinging);
    entry.token = token;
    entry.ringTimer.cancel();
    if (!entry.transition('answer', { video: video && entry.call.video })) return err('state', Problem.CallNotRinging);
    entry.sip.accept().catch((error: unknown) => this.failed(entry, error));
    return ok(entry.call);
  }

  /** Declines (603), cancels or hangs up, whichever the call's state calls for. */
  hangUp(id: string): Result<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.call.state === 'ended') return ok(undefined);
    const sip = entry.sip;
    const done = (promise: Promise<unknown>) => promise.catch((error: unknown) => this.log.debug(`hang up: ${String(error)}`));
    if (sip instanceof Invitation && sip.state === SessionState.Initial) {
      entry.update({ end: { reason: CallEndReason.Declined } });
      void done(sip.reject({ statusCode: 603 }));
    } else if (sip instanceof Inviter && (sip.state === SessionState.Initial || sip.state === SessionState.Establishing)) {
      entry.update({ end: { reason: CallEndReason.Cancelled } });
      void done(sip.cancel());
    } else if (sip.state === SessionState.Established) {
      entry.update({ end: { reason: CallEndReason.Ended } });
      void done(sip.bye());
    } else {
      this.end(entry, { reason: CallEndReason.Ended });
    }
    return ok(undefined);
  }

  /** Puts a call on hold or resumes it (a re-INVITE whose offer says sendonly, RFC 3264 §8.4). */
  async hold(id: string, hold: boolean): Promise<Result<Call>> {
    const entry = this.entries.get(id);
    if (!entry || entry.call.state !== 'connected') return err('state', Problem.CallNotConnected);
    if (entry.call.reconnecting) return err('state', Problem.CallReconnecting);
    if (entry.call.held === hold) return ok(entry.call);
    // Resuming one call while talking on another swaps them: the other goes on hold first.
    if (!hold) {
      for (const other of this.live()) {
        if (other !== entry && other.call.state === 'connected' && !other.call.held) await this.hold(other.call.id, true);
      }
    }
    entry.update({ held: hold });
    const outcome = await this.reinvite(entry, hold ? 'hold' : 'resume');
    if (outcome) {
      entry.update({ held: !hold });
      return err('state', outcome.problem, outcome);
    }
    return ok(entry.call);
  }

  /**
   * Turns my camera on or off in a connected call: a re-INVITE whose offer adds my video or stops
   * sending it (RFC 3264 §8.3.1; I keep receiving theirs). A refusal — theirs, or the camera's —
   * leaves the call as it was.
   */
  async setVideo(id: string, on: boolean): Promise<Result<Call>> {
    const entry = this.entries.get(id);
    if (!entry || entry.call.state !== 'connected') return err('state', Problem.CallNotConnected);
    if (entry.call.reconnecting) return err('state', Problem.CallReconnecting);
    if (entry.call.held) return err('state', Problem.ResumeFirst);
    if (entry.call.video === on) return ok(entry.call);
    entry.update({ video: on });
    const outcome = await this.reinvite(entry, on ? 'videoOn' : 'videoOff');
    if (outcome) {
      entry.update({ video: !on });
      return err('state', outcome.problem, outcome);
    }
    return ok(entry.call);
  }

  /** Sends a re-INVITE with a new offer from the page; resolves to why it failed, or undefined. */
  private async reinvite(entry: CallSession, change: CallChange): Promise<Omit<IpcError, 'kind'> | undefined> {
    const told: { retryAfter?: number } = {};
    let status = await this.reinviteStatus(entry, {}, told);
    // Asked to try again, once: a 491 (our re-INVITEs crossed) after the random wait RFC 3261 §14.1
    // gives; a 500 with Retry-After (RFC 3261 §14.2: their earlier INVITE or its ACK still in
    // progress) after the time it names, up to ten seconds.
    const wait =
      status === 491
        ? this.glareWaitMs(entry)
        : status === 500 && told.retryAfter !== undefined && told.retryAfter <= 10
          ? told.retryAfter * 1000
          : undefined;
    if (wait !== undefined) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, wait));
      if (entry.call.state !== 'connected') return { problem: Problem.ChangeCallEnded, values: { change } };
      status = await this.reinviteStatus(entry);
    }
    if (status === 200) return undefined;
    if (typeof status === 'string') {
      this.log.warn(`re-INVITE (${change}) could not be sent: ${status}`);
      return { problem: Problem.ChangeFailed, values: { change } };
    }
    return { problem: Problem.ChangeRefused, values: { change }, end: rejectionEnd(status) };
  }

  /** RFC 3261 §14.1: after a 491, 2.1–4 s for the side that owns the Call-ID (made the call), else 0–2 s. */
  private glareWaitMs(entry: CallSession): number {
    return entry.sip instanceof Inviter ? 2_100 + Math.random() * 1_900 : Math.random() * 2_000;
  }

  /**
   * Sends a re-INVITE: 200 when taken, the final status when refused (its Retry-After, in seconds,
   * into `told`), or what went wrong before it left.
   */
  private reinviteStatus(entry: CallSession, options: BridgedOptions = {}, told: { retryAfter?: number } = {}): Promise<number | string> {
    // sip.js reads the offer's options for a re-INVITE from the session (its invite() has none).
    entry.sip.sessionDescriptionHandlerOptionsReInvite = options;
    return new Promise<number | string>((resolve) => {
      entry.sip
        .invite({
          requestDelegate: {
            onAccept: () => resolve(200),
            onReject: (response) => {
              const after = Number(/^\s*(\d{1,6})/.exec(response.message.getHeader('Retry-After') ?? '')?.[1] ?? NaN);
              if (Number.isFinite(after)) told.retryAfter = after;
              // A 500 may mean they still wait for my ACK of the last one (RFC 3261 §14.2): it goes again.
              if (response.message.statusCode === 500) this.session?.resendAcks(entry.sip.request.callId);
              resolve(response.message.statusCode ?? 500);
            },
          },
        })
        .catch((error: unknown) => resolve(error instanceof Error ? error.message : String(error)));
    });
  }

  /** The history, newest first, a page at a time. */
  history(before?: number): Result<readonly CallRecord[]> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    return ok(callHistory(this.db, owner, 50, before));
  }

  /** Missed calls not yet seen, by peer. */
  missed(): MissedCalls {
    const owner = this.owner();
    return owner ? unseenMissed(this.db, owner) : {};
  }

  /** Whether a host is my own domain or the phone gateway the account names. */
  private isMyNetwork(host: string): boolean {
    const me = parseSipAddress(this.owner() ?? '');
    const lower = host.toLowerCase();
    return (!!me && lower === me.host.toLowerCase()) || (lower !== '' && lower === this.options.gateway?.().toLowerCase());
  }

  /**
   * Missed calls not yet seen, counted apart: from contacts (what the tray and badge show) and from
   * people not in my contacts (a stream of strangers' calls must not bury a colleague's).
   */
  missedCounts(): { readonly contacts: number; readonly strangers: number } {
    let contacts = 0;
    let strangers = 0;
    for (const [peer, count] of Object.entries(this.missed())) {
      if (this.options.isContact?.(peer) ?? true) contacts += count;
      else strangers += count;
    }
    return { contacts, strangers };
  }

  /** The person looked at the history: missed calls stop counting. */
  markSeen(): Result<void> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    if (markMissedSeen(this.db, owner) > 0) this.seen.fire({});
    return ok(undefined);
  }

  /**
   * Keypad tones during a call: in the media as RFC 4733 telephone events where the connection can,
   * else one SIP INFO per tone (application/dtmf-relay), which many gateways and PBXs take.
   */
  async dtmf(id: string, tones: string): Promise<Result<void>> {
    const entry = this.entries.get(id);
    if (!entry || entry.call.state !== 'connected') return err('state', Problem.CallNotConnected);
    const handler = entry.sip.sessionDescriptionHandler;
    if (handler instanceof BridgedDescriptionHandler && (await handler.sendTones(tones))) return ok(undefined);
    for (const tone of tones) {
      try {
        await entry.sip.info({
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${tone}\r\nDuration=160\r\n` },
          },
        });
      } catch (error) {
        this.log.warn(`INFO (dtmf-relay) failed: ${String(error)}`);
        return err('state', Problem.TonesFailed);
      }
    }
    return ok(undefined);
  }

  /** A page's answer to a media request (only the page it was sent to is heard). */
  mediaReply(requestId: number, reply: MediaReply, callerId?: string): Result<void> {
    return this.media.reply(requestId, reply, callerId) ? ok(undefined) : err('state', Problem.MediaRequestGone);
  }

  online(session: SipSession): void {
    this.session = session;
    for (const entry of this.live()) if (entry.call.reconnecting) void this.recover(entry);
  }

  offline(): void {
    // The dialogs outlive a short outage (the same user agent reconnects) and media may keep
    // flowing meanwhile; the call says it is reconnecting, and ends as lost if the outage lasts.
    const wait = this.options.reconnectMs ?? CALL_RECONNECT_MS;
    const deadline = this.clock.now() + wait;
    for (const entry of this.live()) {
      if (entry.call.state !== 'connected' || entry.call.reconnecting) continue;
      entry.reconnectBy = deadline;
      entry.update({ reconnecting: true });
      entry.lostTimer.schedule(wait, () => {
        if (entry.call.reconnecting) this.lose(entry, CallEndReason.ServerLost);
      });
    }
  }

  /**
   * Back online after an outage: a re-INVITE with an ICE restart (RFC 8445 §9) from the page, whose
   * new Contact also tells the other side where I am now (a target refresh, RFC 3261 §12.2). While
   * they may still be offline themselves, it is tried again until the deadline; a glare (491) waits
   * as RFC 3261 §14.1 says; a dialog they no longer know (481) is lost at once.
   */
  private async recover(entry: CallSession): Promise<void> {
    if (entry.recovering) return;
    entry.recovering = true;
    try {
      for (let attempt = 0; entry.call.reconnecting && entry.call.state === 'connected'; attempt++) {
        const status = await this.reinviteStatus(entry, { iceRestart: true });
        if (status === 200) {
          entry.lostTimer.cancel();
          entry.update({ reconnecting: false });
          return;
        }
        if (status === 481 || !this.session) break;
        const wait = status === 491 ? this.glareWaitMs(entry) : RECONNECT_RETRY_MS;
        if (this.clock.now() + wait >= (entry.reconnectBy ?? 0)) break;
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, wait));
      }
      if (entry.call.reconnecting && entry.call.state === 'connected') this.lose(entry, CallEndReason.NetworkLost);
    } finally {
      entry.recovering = false;
    }
  }

  /**
   * The page says whether the call's media gets through. Stopped (ICE disconnected or failed): the
   * call shows Reconnecting…, tries an ICE restart (RFC 8445 §9) if my own connection is fine, and
   * ends as lost if the media is not back in time — never a silent dead call.
   */
  mediaState(id: string, flowing: boolean): Result<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.call.state !== 'connected') return ok(undefined);
    if (flowing) {
      entry.mediaTimer.cancel();
      if (entry.call.mediaInterrupted) entry.update({ mediaInterrupted: false });
      return ok(undefined);
    }
    if (entry.call.mediaInterrupted || entry.call.held || heldByThem(entry.call)) return ok(undefined);
    entry.update({ mediaInterrupted: true });
    entry.mediaTimer.schedule(this.options.mediaLossMs ?? MEDIA_LOSS_MS, () => {
      if (entry.call.mediaInterrupted) this.lose(entry, CallEndReason.MediaLost);
    });
    // One ICE restart per stretch of lost media: a connection (or a page) that flaps between lost and
    // back must not turn into a stream of re-INVITEs.
    const now = this.clock.now();
    if (
      this.session &&
      !entry.call.reconnecting &&
      now - (entry.iceRestartAt ?? -Infinity) >= (this.options.mediaLossMs ?? MEDIA_LOSS_MS)
    ) {
      entry.iceRestartAt = now;
      void this.reinviteStatus(entry, { iceRestart: true });
    }
    return ok(undefined);
  }

  /** Ends a call that cannot go on, with a BYE if the dialog still stands. */
  private lose(entry: CallSession, reason: CallEndReason): void {
    if (entry.call.state === 'ended') return;
    entry.lostTimer.cancel();
    entry.update({ end: { reason } });
    if (entry.sip.state === SessionState.Established) void entry.sip.bye().catch(() => undefined);
    this.end(entry, { reason });
  }

  async signOut(): Promise<void> {
    // The BYEs (or CANCELs) leave now; the calls end here without waiting for answers that a
    // closing connection may never bring.
    for (const entry of this.live()) {
      this.hangUp(entry.call.id);
      this.end(entry, { reason: CallEndReason.Ended });
    }
    this.session = undefined;
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) {
      entry.dispose();
    }
    this.entries.clear();
    this.media.dispose();
  }

  private incoming(invitation: Invitation): void {
    if (!this.session) {
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      return;
    }
    const from = addressOf(invitation.remoteIdentity.uri);
    if (!from) {
      void invitation.reject({ statusCode: 400 }).catch(() => undefined);
      return;
    }
    // Someone I blocked: declined (RFC 3261 §21.6.2) before anything rings, and no missed call.
    if (this.options.isBlocked?.(from.uri)) {
      void invitation.reject({ statusCode: 603 }).catch(() => undefined);
      return;
    }
    const fromMyDomain = this.isMyNetwork(from.host);
    // A call from the phone network reaches me through my own server (or the gateway the account
    // names): the caller's number is the user part of From, or — where a trunk's From names its own
    // account — in the identity the server asserts (RFC 3325 P-Asserted-Identity, or the older
    // Remote-Party-ID). Only then does a contact with that number name the caller: anyone on another
    // domain can put a colleague's number in their user part.
    const asserted = fromMyDomain ? assertedNumber(invitation.request) : undefined;
    const number = asserted ? { number: asserted } : fromMyDomain ? optionalNumber(from.user) : {};
    const contactName = number.number ? this.options.nameForNumber?.(number.number) : undefined;
    const stranger = !contactName && !(this.options.isContact?.(from.uri) ?? true);
    const caller = {
      peer: from.uri,
      ...number,
      peerName: contactName ?? cleanText(invitation.remoteIdentity.displayName ?? '', 128),
    };
    // A stranger's call while another stranger's rings: shed before it costs anything (no ring, no
    // history row) — a flood of INVITEs that are never cancelled must not take my line.
    if (stranger && this.live().filter((entry) => entry.call.stranger && entry.call.state === 'incoming').length >= MAX_STRANGER_CALLS) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    // Do not disturb, or already two calls: busy here (RFC 3261 §21.4.24), and a missed call in the
    // history, as Lync logs one. Strangers' calls still ringing do not count against a contact's.
    const dnd = this.options.doNotDisturb?.() ?? false;
    const offer = invitation.body ?? '';
    const refuse = (statusCode: number, reason: CallEndReason, extraHeaders: string[] = []) => {
      void invitation.reject({ statusCode, extraHeaders }).catch(() => undefined);
      const now = this.clock.now();
      this.record({ ...caller, direction: 'in', video: false, startedAt: now, endedAt: now, outcome: 'missed', end: { reason } });
    };
    if (dnd || this.engaged().length >= MAX_CALLS) {
      // A stranger's refused call leaves no row: a flood of them would fill the history.
      if (stranger) void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      else refuse(486, dnd ? CallEndReason.MissedDnd : CallEndReason.MissedInCall);
      return;
    }
    // An offer the page's WebRTC can never take (plain RTP, no DTLS-SRTP or ICE): refused at once
    // (488, RFC 3261 §21.4.26) rather than ringing a call nobody could answer.
    const unusable = offer === '' ? null : unusableSdp(offer);
    if (unusable) {
      refuse(488, CallEndReason.MissedPlainRtp, [`Warning: 399 parley "${unusable.replace(/"/g, "'")}"`]);
      return;
    }
    const entry = this.add(invitation, {
      id: randomUUID(),
      ...caller,
      ...(stranger ? { stranger: true } : {}),
      direction: 'in',
      state: 'incoming',
      video: /\r?\nm=video [1-9]/.test(offer),
      held: false,
      startedAt: this.clock.now(),
    });
    invitation.delegate = {
      ...invitation.delegate,
      onCancel: () => {
        if (!entry.call.end) entry.update({ end: { reason: CallEndReason.Missed } });
      },
    };
    entry.ringTimer.schedule(INCOMING_RING_MS, () => {
      if (entry.call.state !== 'incoming') return;
      entry.update({ end: { reason: CallEndReason.Missed } });
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
    });
    void invitation.progress().catch((error: unknown) => this.log.debug(`180: ${String(error)}`));
  }

  private add(sip: Inviter | Invitation, call: NewCall): CallSession {
    const entry = new CallSession(sip, call, this.clock, this.log, () => this.changes.fire(this.list()));
    this.entries.set(call.id, entry);
    this.bySession.set(sip, entry);
    sip.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        entry.ringTimer.cancel();
        entry.transition('established', { connectedAt: this.clock.now() });
      } else if (state === SessionState.Terminated) {
        // sip.js ends the session before the promise of a failed INVITE rejects: let the failure
        // say why first (a refused microphone, not "Call ended").
        this.clock.setTimeout(
          () =>
            this.end(entry, {
              reason: entry.call.connectedAt === undefined && entry.call.direction === 'in' ? CallEndReason.Missed : CallEndReason.Ended,
            }),
          0,
        );
      }
    });
    sip.delegate = {
      ...sip.delegate,
      onBye: (bye) => {
        // After I took their transfer, their BYE is the transfer completing, not a hang-up.
        if (!entry.call.end)
          entry.update({ end: { reason: entry.referAccepted ? CallEndReason.Transferred : CallEndReason.RemoteHungUp } });
        void bye.accept().catch(() => undefined);
      },
      onRefer: (referral) => this.referred(entry, referral),
    };
    this.changes.fire(this.list());
    return entry;
  }

  private failed(entry: CallSession, error: unknown): void {
    const message =
      error instanceof CallFailure ? `${error.end.reason}: ${error.detail}` : error instanceof Error ? error.message : String(error);
    this.log.warn(`call ${entry.call.id}: ${message}`);
    const end = endOfFailure(error);
    if (!entry.call.end) entry.update({ end });
    const sip = entry.sip;
    if (sip instanceof Invitation && sip.state === SessionState.Initial) {
      void sip.reject({ statusCode: 488 }).catch(() => undefined);
    } else if (sip.state === SessionState.Established) {
      void sip.bye().catch(() => undefined);
    }
    this.end(entry, end);
  }

  private end(entry: CallSession, end: CallEnd): void {
    if (entry.call.state === 'ended' || this.disposed) return;
    entry.referral = undefined;
    // (ending stops the call's timers but the one that clears it away)
    entry.transition('end', {
      endedAt: this.clock.now(),
      end: entry.call.end ?? end,
      transferRequest: undefined,
      transferring: undefined,
    });
    const call = entry.call;
    this.record({
      peer: call.peer,
      ...(call.number ? { number: call.number } : {}),
      peerName: call.peerName,
      direction: call.direction,
      video: call.video,
      startedAt: call.startedAt,
      ...(call.connectedAt !== undefined ? { connectedAt: call.connectedAt } : {}),
      endedAt: call.endedAt ?? this.clock.now(),
      outcome: outcomeOf(call),
      end: call.end ?? end,
    });
    entry.lingerTimer.schedule(ENDED_LINGER_MS, () => {
      this.entries.delete(entry.call.id);
      entry.dispose();
      this.changes.fire(this.list());
    });
  }

  private record(call: Omit<CallRecord, 'id' | 'seen'>): void {
    const owner = this.owner();
    if (!owner) return;
    try {
      const record = recordCall(this.db, owner, call);
      // The change only (this peer's count), not the whole map: a stream of missed calls from many
      // addresses must not send every page an ever-growing map each time.
      this.recorded.fire({ record, missed: { [record.peer]: unseenMissedFrom(this.db, owner, record.peer) } });
    } catch (error) {
      this.log.warn(`call history: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private live(): CallSession[] {
    return [...this.entries.values()].filter((entry) => entry.call.state !== 'ended');
  }

  /** Calls that take my line: all live ones but strangers' calls still ringing. */
  private engaged(): CallSession[] {
    return this.live().filter((entry) => !(entry.call.stranger && entry.call.state === 'incoming'));
  }
}

/** How a failure ends a call: what the media layer said, else a failure without a status. */
function endOfFailure(error: unknown): CallEnd {
  if (error instanceof CallFailure) return error.end;
  // sip.js may hand the error on re-wrapped: the reason travels in the message too.
  const named = /^call-end:(\w+)$/.exec(error instanceof Error ? error.message : '')?.[1];
  const known = CALL_END_REASONS.find((reason) => reason === named);
  return { reason: known ?? CallEndReason.Failed };
}

/** How a call that ended goes into the history. */
function outcomeOf(call: Call): CallOutcome {
  if (call.connectedAt !== undefined) return 'answered';
  const reason = call.end?.reason;
  if (reason === CallEndReason.Declined) return 'declined';
  if (call.direction === 'in') return 'missed';
  if (reason === CallEndReason.Busy) return 'busy';
  if (reason === CallEndReason.Cancelled || reason === CallEndReason.NoAnswer) return 'cancelled';
  return 'failed';
}

/**
 * The headers a call made for a referral carries (RFC 3515 §2.1, RFC 3892): the Replaces the
 * Refer-To named (an attended transfer, RFC 3891) and who referred me.
 */
function referralHeaders(referral: Referral): string[] {
  const headers: string[] = [];
  try {
    const replaces = referral.replaces;
    if (replaces) headers.push(`Replaces: ${decodeURIComponent(replaces).replace(/[\r\n]/g, '')}`);
    const by = referral.referredBy;
    if (by) headers.push(`Referred-By: ${by.replace(/[\r\n]/g, '')}`);
  } catch {
    // A Replaces that does not decode is left out: the call goes as a blind transfer.
  }
  return headers;
}

/** The address a REFER names (its Refer-To URI without headers such as Replaces), or null. */
function referTarget(referral: Referral): ReturnType<typeof parseSipAddress> {
  try {
    return addressOf(referral.referTo.uri);
  } catch {
    return null;
  }
}

/**
 * The caller's number as my own server asserts it (RFC 3325 §9.1 P-Asserted-Identity, or the
 * Remote-Party-ID many gateways still send): a `tel:` URI or a SIP URI whose user part is a number.
 */
function assertedNumber(request: Core.IncomingRequestMessage): string | undefined {
  for (const name of ['P-Asserted-Identity', 'Remote-Party-ID']) {
    for (const value of request.getHeaders(name).flatMap((header) => header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/))) {
      const uri = /<([^>]*)>/.exec(value)?.[1] ?? value.trim().split(';')[0] ?? '';
      const user = /^(?:tel:([^;]+)|sips?:([^@;]+)@)/i.exec(uri.trim());
      const number = numberOf((user?.[1] ?? user?.[2] ?? '').replace(/[\s.()-]/g, ''));
      if (number) return number;
    }
  }
  return undefined;
}

/** `{ number }` when a SIP user part is a phone number, else nothing to spread. */
function optionalNumber(user: string): { number?: string } {
  const number = numberOf(user);
  return number ? { number } : {};
}
