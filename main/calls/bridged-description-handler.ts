import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from 'sip.js';
import { CallEndReason, mediaFailureEnd, tracksFor, type CallEnd } from '../../shared/domain/calls.js';
import type { MediaBridge } from './media-bridge.js';
import { isHoldOffer, sendsVideo, tonesInMedia, unusableSdp } from './sdp.js';

/** Options Parley passes with an offer or answer (through sip.js's `sessionDescriptionHandlerOptions`). */
export interface BridgedOptions extends SessionDescriptionHandlerOptions {
  readonly iceRestart?: boolean;
}

/** What the handler reads of its call each time (the call's state changes under it). */
export interface BridgedCall {
  readonly id: string;
  /** The page holding the media. */
  readonly token: () => string | undefined;
  readonly video: () => boolean;
  readonly held: () => boolean;
  /** Their SDP: whether it puts me on hold, and whether they send video. */
  readonly remoteMedia: (media: { held: boolean; video: boolean }) => void;
  /** The call cannot go on, for this reason (said before sip.js ends it). */
  readonly failed?: (end: CallEnd) => void;
}

/**
 * Why the media side of a call failed, as a value: sip.js hands it back through the failed INVITE or
 * answer, and the call ends with it. The message carries the reason too, for a re-wrapped error.
 */
export class CallFailure extends Error {
  constructor(
    readonly end: CallEnd,
    /** What happened, for the log. */
    readonly detail = '',
  ) {
    super(`call-end:${end.reason}`);
  }
}

/**
 * sip.js's session description handler for a call whose media lives in a page: every offer, answer
 * and DTMF request crosses the media bridge to that page, where the RTCPeerConnection is. SIP (the
 * dialog, re-INVITEs, BYE) stays here in main.
 */
export class BridgedDescriptionHandler implements SessionDescriptionHandler {
  private closed = false;
  /** My offer is out and unanswered (RFC 3264 §4): the next SDP from them is its answer. */
  private offered = false;
  /** Their offer is set and my answer is due: the next getDescription answers it. */
  private answering = false;

  constructor(
    private readonly bridge: MediaBridge,
    private readonly call: BridgedCall,
  ) {}

  async getDescription(options?: BridgedOptions): Promise<BodyAndContentType> {
    const reply = await this.ask({
      action: 'local',
      tracks: tracksFor(this.call.video()),
      hold: this.call.held(),
      iceRestart: options?.iceRestart ?? false,
    });
    if (!reply.sdp) throw new CallFailure({ reason: CallEndReason.MediaFailed }, 'the window holding the call sent no session description');
    // An offer unless it answered theirs (setDescription came first and cleared `offered`).
    this.offered = !this.answering;
    this.answering = false;
    return { body: reply.sdp, contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]!.trim().toLowerCase() === 'application/sdp';
  }

  /** Whether their last SDP takes keypad tones in the media at the clock Parley sends (else SIP INFO). */
  private tones = true;

  async setDescription(sdp: string): Promise<void> {
    // Their answer (or a re-offer) with media WebRTC cannot take: the call ends saying why, rather
    // than with the browser's parser error.
    const unusable = unusableSdp(sdp);
    if (unusable) {
      const end = { reason: CallEndReason.PlainRtp };
      this.call.failed?.(end);
      throw new CallFailure(end, unusable);
    }
    // RFC 3264 §8.4: an offer whose media is all sendonly or inactive puts me on hold; sendrecv (or
    // no direction, which means sendrecv) takes me off it.
    const kind = this.offered ? 'answer' : 'offer';
    this.offered = false;
    this.answering = kind === 'offer';
    await this.ask({ action: 'remote', sdp, kind });
    this.tones = tonesInMedia(sdp);
    this.call.remoteMedia({ held: isHoldOffer(sdp), video: sendsVideo(sdp) });
  }

  /** A refused re-INVITE: the page goes back to the session it had (sip.js calls this on a non-2xx). */
  async rollbackDescription(): Promise<void> {
    this.offered = false;
    await this.ask({ action: 'rollback' });
  }

  /** Sends keypad tones in the media (RFC 4733); false when the page's connection cannot. */
  async sendTones(tones: string): Promise<boolean> {
    if (!this.tones) return false;
    try {
      await this.ask({ action: 'dtmf', tones });
      return true;
    } catch {
      return false;
    }
  }

  /** sip.js's synchronous form of `sendTones` (the answer comes later). */
  sendDtmf(tones: string): boolean {
    if (!/^[0-9A-D#*,]{1,32}$/i.test(tones)) return false;
    void this.sendTones(tones);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.ask({ action: 'close' }).catch(() => undefined);
  }

  private async ask(ask: Parameters<MediaBridge['ask']>[2]) {
    const token = this.call.token();
    if (!token) throw new CallFailure({ reason: CallEndReason.NoWindow }, 'no window holds this call');
    const reply = await this.bridge.ask(this.call.id, token, ask);
    if (!reply.ok) {
      throw new CallFailure(reply.unanswered ? { reason: CallEndReason.NoWindow } : mediaFailureEnd(reply.failure), reply.error ?? '');
    }
    return reply;
  }
}
