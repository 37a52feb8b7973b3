/** Calls: what the person sees of one, and the words for how it ended. */

/**
 * Where a call is. Outgoing: `calling` (INVITE sent) → `ringing` (180: their phone rings) →
 * `connected`. Incoming: `incoming` (ringing here) → `connected`. Both end in `ended`.
 */
export type CallState = 'calling' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

export interface Call {
  /** Parley's own id for the call (not the SIP Call-ID). */
  readonly id: string;
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
  /** Whether they send video (from their SDP: a video line that is sendrecv or sendonly on their side). */
  readonly remoteVideo: boolean;
  /** I put the call on hold (RFC 3264 §8.4: my offer says sendonly). */
  readonly held: boolean;
  /** They put me on hold (their offer says sendonly or inactive). */
  readonly remoteHeld: boolean;
  /** The connection to the server dropped during the call: Parley is getting it back (an ICE restart once online). */
  readonly reconnecting?: boolean;
  /** The media stopped getting through (ICE disconnected or failed: consent lost, RFC 7675): waiting for it to come back. */
  readonly mediaInterrupted?: boolean;
  readonly startedAt: number;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  /** How it ended, in words ("Busy", "Declined", "No answer"…); '' while it goes on. */
  readonly reason: string;
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
  /** Why the last transfer of this call did not happen (the call goes on); '' or absent when none. */
  readonly transferProblem?: string;
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
  /** The words it ended with ("Busy", "No answer"…). */
  readonly reason: string;
  /** False for a missed call the person has not looked at yet. */
  readonly seen: boolean;
}

/** Missed calls not yet seen, by peer. */
export type MissedCalls = Readonly<Record<string, number>>;

/** How long an outgoing call rings before Parley gives up (and says "No answer"). */
export const RING_TIMEOUT_MS = 60_000;

/** The words for a final answer to an outgoing call (RFC 3261 §21). */
export function callRejectionText(status: number): string {
  if (status === 486 || status === 600) return 'Busy';
  if (status === 603) return 'Declined';
  if (status === 404 || status === 604) return 'No such person or number';
  if (status === 480) return 'Not available (not signed in)';
  if (status === 408) return 'No answer';
  if (status === 487) return 'Cancelled';
  if (status === 488 || status === 606 || status === 415) return "Their phone can't take this kind of call";
  if (status === 403) return 'Not allowed by the server';
  if (status >= 500) return `The server could not connect the call (${status})`;
  return `The call failed (${status})`;
}

/** What a call's line says now. */
export function callStateText(call: Call): string {
  switch (call.state) {
    case 'calling':
      return 'Calling…';
    case 'ringing':
      return call.earlyMedia ? 'Ringing — playing sound from their network (tones or a message)' : 'Ringing…';
    case 'incoming':
      return call.video ? 'Incoming video call' : 'Incoming call';
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      if (call.reconnecting || call.mediaInterrupted) return 'Reconnecting…';
      return call.remoteHeld ? 'On hold' : call.held ? 'You put the call on hold' : 'In a call';
    case 'ended':
      return call.reason || 'Call ended';
  }
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
 * A request from main to the page that holds a call's media (the IPC-backed session description
 * handler): make my SDP (an offer, or the answer to what was set), take theirs, send DTMF, or stop.
 */
export type MediaRequest =
  | {
      readonly requestId: number;
      readonly callId: string;
      readonly token: string;
      readonly action: 'local';
      readonly video: boolean;
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
