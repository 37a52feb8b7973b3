/** Calls: what the person sees of one, and how it ended (a value; the words are in the catalogue). */

import { t } from '../i18n/format.js';

/**
 * Why a call ended (or, before it ends, why it is ending), as stored in the call history and compared
 * in code. The words come from the message catalogue (`call.end.<value>`).
 */
export const CallEndReason = {
  /** I hung up a connected call (or the call ended with nothing more to say). */
  Ended: 'ended',
  RemoteHungUp: 'remoteHungUp',
  Declined: 'declined',
  Cancelled: 'cancelled',
  NoAnswer: 'noAnswer',
  Busy: 'busy',
  NotFound: 'notFound',
  Unavailable: 'unavailable',
  Incompatible: 'incompatible',
  Forbidden: 'forbidden',
  /** A 5xx from the server (`status` says which). */
  ServerFailure: 'serverFailure',
  /** Any other failure (`status` when a SIP answer said it). */
  Failed: 'failed',
  Missed: 'missed',
  MissedDnd: 'missedDnd',
  MissedInCall: 'missedInCall',
  /** An incoming call whose media WebRTC cannot take (plain RTP): refused at once. */
  MissedPlainRtp: 'missedPlainRtp',
  /** Their answer's media WebRTC cannot take (plain RTP). */
  PlainRtp: 'plainRtp',
  Transferred: 'transferred',
  /** A 3xx sent the call on (`target` says where). */
  Forwarded: 'forwarded',
  /** A 3xx Parley cannot follow (`status`). */
  ForwardUnfollowable: 'forwardUnfollowable',
  ServerLost: 'serverLost',
  NetworkLost: 'networkLost',
  MediaLost: 'mediaLost',
  MediaNotAllowed: 'mediaNotAllowed',
  MediaNotFound: 'mediaNotFound',
  MediaInUse: 'mediaInUse',
  MediaFailed: 'mediaFailed',
  NoWindow: 'noWindow',
} as const;
export type CallEndReason = (typeof CallEndReason)[keyof typeof CallEndReason];
export const CALL_END_REASONS: readonly CallEndReason[] = Object.values(CallEndReason);

/** How a call ended: the reason, and what the words need (a SIP status, where it was forwarded). */
export interface CallEnd {
  readonly reason: CallEndReason;
  /** The SIP status that said it (RFC 3261 §21), where one did. */
  readonly status?: number;
  /** Where a forwarded call went (an address or E.164 number). */
  readonly target?: string;
}

/** Why a transfer I asked for did not happen (the call goes on). */
export type TransferProblem =
  /** They never said how it went (no final NOTIFY within the bound). */
  | { readonly kind: 'noWord' }
  /** It failed: how the call to the target ended, or nothing when they gave no reason. */
  | { readonly kind: 'failed'; readonly end?: CallEnd };

/** How a media failure in the page is reported to main (the page's words stay in the page). */
export const MediaFailure = {
  NotAllowed: 'notAllowed',
  NotFound: 'notFound',
  InUse: 'inUse',
  Other: 'other',
} as const;
export type MediaFailure = (typeof MediaFailure)[keyof typeof MediaFailure];
export const MEDIA_FAILURES: readonly MediaFailure[] = Object.values(MediaFailure);

/** How a media failure ends the call. */
export function mediaFailureEnd(failure: MediaFailure | undefined): CallEnd {
  switch (failure) {
    case MediaFailure.NotAllowed:
      return { reason: CallEndReason.MediaNotAllowed };
    case MediaFailure.NotFound:
      return { reason: CallEndReason.MediaNotFound };
    case MediaFailure.InUse:
      return { reason: CallEndReason.MediaInUse };
    default:
      return { reason: CallEndReason.MediaFailed };
  }
}

/**
 * Where a call is. Outgoing: `calling` (INVITE sent) → `ringing` (180: their phone rings) →
 * `connected`. Incoming: `incoming` (ringing here) → `connected`. Both end in `ended`.
 */
export type CallState = 'calling' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

/**
 * Someone in a call other than me, with what their side sends. A two-party call has one; a
 * conference will have one per person, each with media of their own.
 */
export interface Participant {
  /** Their normalised SIP URI. */
  readonly uri: string;
  /** The E.164 number of a caller from the phone network, when it is one. */
  readonly number?: string;
  /** The name their call carried (network text, cleaned; '' when none): my contacts' name comes first. */
  readonly name: string;
  /** What reaches me from them: their camera, and whether they put the call on hold. */
  readonly media: { readonly camera: boolean; readonly held: boolean };
}

/** Whether the others put the call on hold (all of them: a conference goes on while anyone talks). */
export const heldByThem = (call: Pick<Call, 'participants'>): boolean =>
  call.participants.length > 0 && call.participants.every((participant) => participant.media.held);

/** Whether anyone in the call sends me video. */
export const theirCamera = (call: Pick<Call, 'participants'>): boolean => call.participants.some((participant) => participant.media.camera);

export interface Call {
  /** Parley's own id for the call (not the SIP Call-ID). */
  readonly id: string;
  /**
   * Everyone in the call but me, each with their own media (one today): what they send lives here
   * only. `peer`, `number` and `peerName` name whom the call was made with (the history's line).
   */
  readonly participants: readonly Participant[];
  /** The other side, a SIP URI. */
  readonly peer: string;
  /** Their phone number (E.164) when the call is to or from one. */
  readonly number?: string;
  /** The name they sent (From display-name), cleaned; '' when none. */
  readonly peerName: string;
  readonly direction: 'in' | 'out';
  readonly state: CallState;
  /**
   * Whether my camera is in the call (before an incoming call is answered: whether they offer video).
   * Turned on and off mid-call by a re-INVITE.
   */
  readonly video: boolean;
  /** I put the call on hold (RFC 3264 §8.4: my offer says sendonly). */
  readonly held: boolean;
  /** The connection to the server dropped during the call: Parley is getting it back (an ICE restart once online). */
  readonly reconnecting?: boolean;
  /** The media stopped getting through (ICE disconnected or failed: consent lost, RFC 7675): waiting for it to come back. */
  readonly mediaInterrupted?: boolean;
  readonly startedAt: number;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  /** How it ended (set as it ends, or just before: a cancel under way); absent while it goes on. */
  readonly end?: CallEnd;
  /**
   * An outgoing call hears the far side's network before the answer (RFC 3960 early media: ringback
   * tones, or an announcement such as "the number is not available").
   */
  readonly earlyMedia?: boolean;
  /** The caller is not in my contacts (an incoming call): shown as such, and never blocks a contact's call. */
  readonly stranger?: boolean;
  /**
   * The other side asks me to call someone else instead (they are transferring me, RFC 3515 REFER):
   * nothing is dialled until I say Call.
   */
  readonly transferRequest?: TransferRequest;
  /** A transfer I asked of the other side, while they have not said how it went: to whom. */
  readonly transferring?: string;
  /** Why the last transfer of this call did not happen (the call goes on); absent when none. */
  readonly transferProblem?: TransferProblem;
}

/** Who the other side of a call wants me to call instead (RFC 3515 Refer-To). */
export interface TransferRequest {
  /** The SIP URI they refer me to (headers and parameters other than user=phone dropped). */
  readonly target: string;
  /** The number, when the target is one (E.164). */
  readonly number?: string;
  /** The contact's name for the target, '' when not a contact. */
  readonly name: string;
  /** The target is outside my own domain and dial plan (another organisation): said before I choose. */
  readonly outside: boolean;
}

/** How long a transfer request waits for my answer before it is declined for me. */
export const TRANSFER_ASK_MS = 60_000;

/** How a call in the history ended. */
export type CallOutcome = 'answered' | 'missed' | 'declined' | 'busy' | 'cancelled' | 'failed';

/** A call in the history. */
export interface CallRecord {
  readonly id: number;
  readonly peer: string;
  readonly number?: string;
  readonly peerName: string;
  readonly direction: 'in' | 'out';
  readonly video: boolean;
  readonly startedAt: number;
  readonly connectedAt?: number;
  readonly endedAt: number;
  readonly outcome: CallOutcome;
  /** How it ended. */
  readonly end: CallEnd;
  /** False for a missed call the person has not looked at yet. */
  readonly seen: boolean;
}

/** Missed calls not yet seen, by peer. */
export type MissedCalls = Readonly<Record<string, number>>;

/** How long an outgoing call rings before Parley gives up (and says "No answer"). */
export const RING_TIMEOUT_MS = 60_000;

/** How a final answer to an outgoing call ends it (RFC 3261 §21). */
export function rejectionEnd(status: number): CallEnd {
  const reason: CallEndReason =
    status === 486 || status === 600
      ? CallEndReason.Busy
      : status === 603
        ? CallEndReason.Declined
        : status === 404 || status === 604
          ? CallEndReason.NotFound
          : status === 480
            ? CallEndReason.Unavailable
            : status === 408
              ? CallEndReason.NoAnswer
              : status === 487
                ? CallEndReason.Cancelled
                : status === 488 || status === 606 || status === 415
                  ? CallEndReason.Incompatible
                  : status === 403
                    ? CallEndReason.Forbidden
                    : status >= 500
                      ? CallEndReason.ServerFailure
                      : CallEndReason.Failed;
  return { reason, status };
}

/** The words for how a call ended. */
export function callEndText(end: CallEnd): string {
  return t(`call.end.${end.reason}`, { status: end.status ?? 0, target: end.target ?? '' });
}

/** The words for a transfer that did not happen. */
export function transferProblemText(problem: TransferProblem): string {
  if (problem.kind === 'noWord') return t('call.transfer.noWord');
  return t('call.transfer.failed', { why: problem.end ? callEndText(problem.end) : t('call.transfer.noReason') });
}

/** What a call's line says now. */
export function callStateText(call: Call): string {
  switch (call.state) {
    case 'calling':
      return t('call.state.calling');
    case 'ringing':
      return t(call.earlyMedia ? 'call.state.ringingEarlyMedia' : 'call.state.ringing');
    case 'incoming':
      return t('call.state.incoming', { video: call.video });
    case 'connecting':
      return t('call.state.connecting');
    case 'connected':
      if (call.reconnecting || call.mediaInterrupted) return t('call.state.reconnecting');
      return t(heldByThem(call) ? 'call.state.remoteHeld' : call.held ? 'call.state.held' : 'call.state.connected');
    case 'ended':
      return callEndText(call.end ?? { reason: CallEndReason.Ended });
  }
}

/** The history's words for how a call went. */
export function callRecordText(record: CallRecord): string {
  if (record.outcome === 'answered') {
    const length = callDuration(record.endedAt - (record.connectedAt ?? record.endedAt));
    return t('call.history.answered', { direction: record.direction, video: record.video, length });
  }
  if (record.outcome === 'missed' && record.end.reason === CallEndReason.Missed) return t('call.history.missed', { video: record.video });
  if (record.outcome === 'missed') return callEndText(record.end);
  return t('call.history.line', { direction: record.direction, video: record.video, reason: callEndText(record.end) });
}

/** Minutes and seconds (hours when it runs that long) of a running call. */
export function callDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/**
 * What I send in a call, by source: my microphone, my camera, my screen (to come). A media request
 * names the tracks the page is to send, not a flag per kind.
 */
export type MediaTrack = 'microphone' | 'camera' | 'screen';

/** The tracks I send in a call with or without my camera. */
export function tracksFor(video: boolean): readonly MediaTrack[] {
  return video ? ['microphone', 'camera'] : ['microphone'];
}

/**
 * A request from main to the page that holds a call's media (the IPC-backed session description
 * handler): make my SDP (an offer, or the answer to what was set), take theirs, send DTMF, or stop.
 */
export type MediaRequest =
  | {
      readonly requestId: number;
      readonly callId: string;
      readonly token: string;
      readonly action: 'local';
      /** What the page sends (and so offers, or accepts, to send). */
      readonly tracks: readonly MediaTrack[];
      readonly hold: boolean;
      readonly iceRestart: boolean;
    }
  | {
      readonly requestId: number;
      readonly callId: string;
      readonly token: string;
      readonly action: 'remote';
      readonly sdp: string;
      /** Whether their SDP answers my offer or is a new offer (main's dialog knows; the page's state may lag). */
      readonly kind: 'offer' | 'answer';
    }
  | { readonly requestId: number; readonly callId: string; readonly token: string; readonly action: 'dtmf'; readonly tones: string }
  | { readonly requestId: number; readonly callId: string; readonly token: string; readonly action: 'close' }
  /** My last offer was refused: go back to the description before it (RFC 3264 §8: the old session stands). */
  | { readonly requestId: number; readonly callId: string; readonly token: string; readonly action: 'rollback' };

/** Largest SDP carried either way (a real one is a few KB; video with many codecs ~10 KB). */
export const SDP_MAX = 64 * 1024;

/** How the connection of a call is doing, from `getStats` (over the last few seconds). */
export interface CallQuality {
  readonly level: 'good' | 'fair' | 'poor';
  /** Share of audio packets lost, 0–1. */
  readonly loss: number;
  readonly jitterMs: number;
  readonly roundTripMs: number | undefined;
}

/** Thresholds as VoIP quality is usually judged (loss, jitter, round trip). */
export function qualityOf(loss: number, jitterMs: number, roundTripMs: number | undefined): CallQuality['level'] {
  const rtt = roundTripMs ?? 0;
  if (loss < 0.02 && jitterMs < 30 && rtt < 300) return 'good';
  if (loss < 0.08 && jitterMs < 60 && rtt < 600) return 'fair';
  return 'poor';
}

/** A STUN/TURN server for a call's RTCPeerConnection (the account's settings). */
export interface IceServerConfig {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}
