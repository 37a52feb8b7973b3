import type { Invitation, Inviter, Referral } from 'sip.js';
import type { Call, CallState, Participant } from '../../shared/domain/calls.js';
import type { Clock } from '../base/clock.js';
import { Timer } from '../base/timer.js';
import type { Logger } from '../logger.js';

/**
 * What moves a call from one state to the next: the far end's provisional answer (`ring`, RFC 3261
 * §13.2.2.1), an early-media answer (`earlyMedia`, RFC 3960), my answer to an incoming call
 * (`answer`), the dialog confirmed (`established`, the 2xx and its ACK), and its end (`end`).
 */
export type CallEvent = 'ring' | 'earlyMedia' | 'answer' | 'established' | 'end';

/**
 * The legal moves of a call's state. Outgoing: calling → ringing → connected; incoming: incoming →
 * connecting (my answer is out) → connected; every state but `ended` may end. Anything else — a
 * late 180 after the answer, an answer after the end — is refused and logged, never applied.
 */
export const CALL_TRANSITIONS: Readonly<Record<CallState, Readonly<Partial<Record<CallEvent, CallState>>>>> = {
  calling: { ring: 'ringing', earlyMedia: 'ringing', established: 'connected', end: 'ended' },
  ringing: { ring: 'ringing', earlyMedia: 'ringing', established: 'connected', end: 'ended' },
  incoming: { answer: 'connecting', end: 'ended' },
  connecting: { established: 'connected', end: 'ended' },
  connected: { end: 'ended' },
  ended: {},
};

/** The state `event` moves `state` to, or undefined when that move is not legal. */
export function nextCallState(state: CallState, event: CallEvent): CallState | undefined {
  return CALL_TRANSITIONS[state][event];
}

/** What may change of a call without a move of its state (state moves go through `transition`). */
export type CallChanges = Partial<Omit<Call, 'state' | 'id' | 'direction' | 'participants'>>;

/** A call as the service makes it: who is in it follows from the other side it names. */
export type NewCall = Omit<Call, 'participants'>;

/** What a participant sends me. */
export type ParticipantMedia = Participant['media'];

/** The call with its participants: the one other side of a two-party call, with what they send. */
function withParticipants(call: NewCall, media: ParticipantMedia): Call {
  const other: Participant = {
    uri: call.peer,
    ...(call.number ? { number: call.number } : {}),
    name: call.peerName,
    media,
  };
  return { ...call, participants: [other] };
}

/**
 * One call: its dialog (sip.js), what the person sees of it, and the timers that bound it. Its state
 * changes only through `transition()`; its timers are `Timer`s on the injected clock, all stopped
 * by `dispose()`.
 */
export class CallSession {
  private current: Call;
  /** What the other side sends (their re-INVITEs say it): kept here, shown in `participants`. */
  private media: ParticipantMedia = { camera: false, held: false };
  /** The page holding the media (set by whoever started or answered the call). */
  token: string | undefined;
  /** How long it may ring (here or at the far end). */
  readonly ringTimer: Timer;
  /** How long it stays in the list once ended (its reason shown). */
  readonly lingerTimer: Timer;
  /** While reconnecting: when it ends as lost. */
  readonly lostTimer: Timer;
  /** While the media is stopped: when it ends as lost. */
  readonly mediaTimer: Timer;
  /** A transfer the other side asked of me: how long the question stands. */
  readonly referTimer: Timer;
  /** A transfer I asked of the other side: how long I wait for their word on it. */
  readonly transferTimer: Timer;
  /** While reconnecting: the deadline (clock time). */
  reconnectBy: number | undefined;
  /** When the last ICE restart for lost media went out. */
  iceRestartAt: number | undefined;
  recovering = false;
  /** A transfer the other side asked of me (RFC 3515), while I decide. */
  referral: Referral | undefined;
  /** The referral I said yes to: its new call's progress goes back to them in NOTIFYs. */
  referAccepted = false;

  constructor(
    readonly sip: Inviter | Invitation,
    call: NewCall,
    clock: Clock,
    private readonly log: Logger,
    /** Told after every change (the service sends the list to the pages). */
    private readonly changed: () => void,
  ) {
    this.current = withParticipants(call, this.media);
    this.ringTimer = new Timer(clock);
    this.lingerTimer = new Timer(clock);
    this.lostTimer = new Timer(clock);
    this.mediaTimer = new Timer(clock);
    this.referTimer = new Timer(clock);
    this.transferTimer = new Timer(clock);
  }

  get call(): Call {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  /**
   * Moves the call by `event` (with `changes` applied in the same step); false, with a warning in
   * the log, when the table has no such move from where the call is.
   */
  transition(event: CallEvent, changes: CallChanges = {}): boolean {
    const next = nextCallState(this.current.state, event);
    if (!next) {
      this.log.warn(`call ${this.current.id}: no move '${event}' from ${this.current.state}; ignored`);
      return false;
    }
    this.current = withParticipants({ ...this.current, ...changes, state: next }, this.media);
    if (next === 'ended') this.stopTimers({ keepLinger: true });
    this.changed();
    return true;
  }

  /** Changes what the call shows without moving its state. */
  update(changes: CallChanges): void {
    this.current = withParticipants({ ...this.current, ...changes }, this.media);
    this.changed();
  }

  /** What the other side sends changed (their offer: a camera, a hold); told only when it did. */
  theirMedia(media: ParticipantMedia): void {
    if (media.camera === this.media.camera && media.held === this.media.held) return;
    this.media = media;
    this.update({});
  }

  /** Stops every timer (the call is gone, or the engine closes). */
  dispose(): void {
    this.stopTimers({ keepLinger: false });
  }

  private stopTimers({ keepLinger }: { keepLinger: boolean }): void {
    for (const timer of [this.ringTimer, this.lostTimer, this.mediaTimer, this.referTimer, this.transferTimer]) timer.cancel();
    if (!keepLinger) this.lingerTimer.cancel();
  }
}
