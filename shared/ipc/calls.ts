/** The `calls` domain: start, answer, end and hold calls; the page that holds a call's media answers main's media requests. */

import { ACCOUNT_LIMITS } from '../domain/account.js';
import {
  MEDIA_FAILURES,
  SDP_MAX,
  type Call,
  type CallRecord,
  type IceServerConfig,
  type MediaRequest,
  type MissedCalls,
} from '../domain/calls.js';
import { event, type EventSpecs } from './define.js';
import { bool, int, matching, none, obj, oneOf, optional, str } from './schema.js';

const id = str(64);
/** The page's own random token: media requests for a call go to the page that started or answered it. */
const mediaToken = str(64);

export const callsRequests = {
  'calls:list': none,
  /** The signed-in account's STUN/TURN servers, for a call's RTCPeerConnection. */
  'calls:iceServers': none,
  /** The call history, newest first, 50 at a time (`before`: the next page). */
  'calls:history': obj({ before: optional(int(1, Number.MAX_SAFE_INTEGER)) }),
  /** Missed calls not yet seen, by peer. */
  'calls:missed': none,
  /** The person looked at the history: missed calls stop counting. */
  'calls:markSeen': none,
  'calls:start': obj({ peer: str(ACCOUNT_LIMITS.address + 8), video: bool, mediaToken }),
  'calls:answer': obj({ id, video: bool, mediaToken }),
  /** Declines an incoming call (603), cancels one ringing out, or hangs up. */
  'calls:hangUp': obj({ id }),
  'calls:hold': obj({ id, hold: bool }),
  /** Turns my camera on or off in a connected call. */
  'calls:video': obj({ id, on: bool }),
  /** The page holding a call's media says whether it gets through (ICE connected) or stopped. */
  'calls:mediaState': obj({ id, flowing: bool }),
  /** Blind transfer: the other side is asked to call `target` instead; this call ends once they reach them. */
  'calls:transfer': obj({ id, target: str(ACCOUNT_LIMITS.address + 8) }),
  /** The other side asked to transfer me (`call.transferRequest`): call the target (true) or decline. */
  'calls:answerTransfer': obj({ id, accept: bool }),
  /** Keypad tones during a call (digits, *, #, A–D). */
  /** Keypad tones: the DTMF events RFC 4733 §3.2 names (0–9, *, #, A–D), at most 32 at once. */
  'calls:dtmf': obj({ id, tones: matching(32, /^[0-9A-D#*]{1,32}$/i) }),
  /** The page's answer to a media request: my SDP for `local`, nothing for the others, or why it failed. */
  'calls:media': obj({
    requestId: int(1, Number.MAX_SAFE_INTEGER),
    ok: bool,
    sdp: optional(str(SDP_MAX)),
    /** What failed, as a value (the call ends with it); `error` is the page's detail, for the log. */
    failure: optional(oneOf(MEDIA_FAILURES)),
    error: optional(str(512)),
  }),
};

export interface CallsResponses {
  'calls:list': readonly Call[];
  'calls:iceServers': readonly IceServerConfig[];
  'calls:history': readonly CallRecord[];
  'calls:missed': MissedCalls;
  'calls:markSeen': void;
  'calls:start': Call;
  'calls:answer': Call;
  'calls:hangUp': void;
  'calls:hold': Call;
  'calls:video': Call;
  'calls:mediaState': void;
  'calls:transfer': void;
  /** The new call when I accepted. */
  'calls:answerTransfer': Call | undefined;
  'calls:dtmf': void;
  'calls:media': void;
}

export const callsEvents = {
  /** Calls began, changed state or ended (every call not yet cleared away). */
  onDidChangeCalls: event<readonly Call[]>(),
  /**
   * A call ended and went into the history; `missed` is what changed in the missed calls not yet
   * seen: this call's peer and their count (merged into what `calls:missed` gave), not the whole map.
   */
  onDidRecordCall: event<{ readonly record: CallRecord; readonly missed: MissedCalls }>(),
  /** Missed calls were seen. */
  onDidChangeMissedCalls: event<MissedCalls>(),
  /** Main asks the page holding a call's media to do something (only the page with `token` answers). */
  onDidRequestMedia: event<MediaRequest>(),
} satisfies EventSpecs;
