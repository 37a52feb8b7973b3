import { callEndText, MediaFailure, mediaFailureEnd, qualityOf, type CallQuality, type MediaRequest } from '../../../shared/domain/calls';
import { t } from '../../../shared/i18n/format';
import type { ParleyApi } from '../../../shared/ipc/contract';
import { DEFAULT_UI_SETTINGS, type UiSettings } from '../../../shared/domain/settings';
import { constraintFor } from './devices';

/** The longest Parley waits for ICE candidates before its offer or answer leaves (not sip.js's 5 s). */
export const ICE_GATHERING_BOUND_MS = 1_000;

/** What a call's media shows: my camera (preview) and what comes from them. */
export interface CallStreams {
  readonly local?: MediaStream;
  readonly remote?: MediaStream;
}

/**
 * The page's half of the media bridge: one RTCPeerConnection per call this page holds, driven by
 * main's media requests (make my SDP, take theirs, send DTMF, stop). Main keeps the SIP dialog; this
 * page keeps the microphone, camera and connection, and answers every request it is sent.
 */
export class CallMedia {
  private readonly connections = new Map<string, RTCPeerConnection>();
  private readonly locals = new Map<string, MediaStream>();
  private readonly remotes = new Map<string, MediaStream>();

  constructor(
    private readonly api: ParleyApi,
    readonly token: string,
    private readonly onStreams: (callId: string, streams: CallStreams | null) => void,
    /** The account's STUN/TURN servers (asked for each new call: the settings may have changed). */
    private readonly iceServers: () => Promise<RTCIceServer[]> = async () => [],
    /** The microphone and camera chosen in Settings. */
    private readonly devices: () => UiSettings['devices'] = () => DEFAULT_UI_SETTINGS.devices,
  ) {}

  /** Each call's requests, one after another (a rollback must finish before the next offer is set). */
  private readonly queues = new Map<string, Promise<void>>();

  /** Handles one of main's requests (addressed to this page) and answers it, in the order they came. */
  handle(request: MediaRequest): Promise<void> {
    if (request.token !== this.token) return Promise.resolve();
    const previous = this.queues.get(request.callId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.handleNow(request));
    this.queues.set(request.callId, run);
    void run.finally(() => {
      if (this.queues.get(request.callId) === run) this.queues.delete(request.callId);
    });
    return run;
  }

  private async handleNow(request: MediaRequest): Promise<void> {
    // A failure while the call is being set up ends its media; once it is under way (a re-INVITE
    // for hold or video), the call goes on as it was and main says what was refused.
    const established = this.connections.get(request.callId)?.currentRemoteDescription != null;
    try {
      let sdp: string | undefined;
      if (request.action === 'local')
        sdp = await this.local(request.callId, request.tracks.includes('camera'), request.hold, request.iceRestart);
      else if (request.action === 'remote') await this.remote(request.callId, request.sdp, request.kind);
      else if (request.action === 'dtmf') this.dtmf(request.callId, request.tones);
      else if (request.action === 'rollback') await this.rollback(request.callId);
      else this.close(request.callId);
      await this.api.calls.media({ requestId: request.requestId, ok: true, ...(sdp !== undefined ? { sdp } : {}) });
    } catch (error) {
      await this.api.calls.media({
        requestId: request.requestId,
        ok: false,
        failure: mediaFailureOf(error),
        error: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500),
      });
      if (request.action !== 'close' && !established) this.close(request.callId);
    }
  }

  /** Turns my microphone on or off for a call (the track keeps flowing as silence). */
  setMuted(callId: string, muted: boolean): void {
    for (const track of this.locals.get(callId)?.getAudioTracks() ?? []) track.enabled = !muted;
  }

  /**
   * Moves every call this page holds to the microphone (or camera) now chosen, without a re-INVITE:
   * the sender's track is replaced (the muted state kept) and the old device let go. Returns what
   * went wrong in words, or null.
   */
  async switchDevice(kind: 'microphone' | 'camera'): Promise<string | null> {
    for (const [callId, local] of this.locals) {
      const pc = this.connections.get(callId);
      const old = kind === 'microphone' ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
      if (!pc || !old) continue;
      try {
        const constraint = await constraintFor(kind, this.devices()[kind]);
        const stream = await navigator.mediaDevices.getUserMedia(kind === 'microphone' ? { audio: constraint } : { video: constraint });
        const track = kind === 'microphone' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
        if (!track) continue;
        track.enabled = old.enabled;
        await pc
          .getSenders()
          .find((sender) => sender.track === old)
          ?.replaceTrack(track);
        old.stop();
        this.locals.set(callId, new MediaStream([...local.getTracks().filter((t) => t !== old), track]));
        this.onStreams(callId, this.streamsOf(callId));
      } catch (error) {
        return mediaErrorText(error);
      }
    }
    return null;
  }

  /** Stops a call's media: camera and microphone off, connection closed. */
  close(callId: string): void {
    for (const track of this.locals.get(callId)?.getTracks() ?? []) track.stop();
    this.locals.delete(callId);
    this.remotes.delete(callId);
    this.connections.get(callId)?.close();
    this.connections.delete(callId);
    this.onStreams(callId, null);
  }

  /** The call's connection quality now (audio received: loss and jitter; the pair's round trip). */
  async quality(
    callId: string,
    previous?: { received: number; lost: number },
  ): Promise<(CallQuality & { received: number; lost: number }) | null> {
    const pc = this.connections.get(callId);
    if (!pc) return null;
    let received = 0;
    let lost = 0;
    let jitter = 0;
    let rtt: number | undefined;
    (await pc.getStats()).forEach(
      (report: {
        type: string;
        kind?: string;
        packetsReceived?: number;
        packetsLost?: number;
        jitter?: number;
        state?: string;
        nominated?: boolean;
        currentRoundTripTime?: number;
      }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'audio') {
          received += report.packetsReceived ?? 0;
          lost += Math.max(0, report.packetsLost ?? 0);
          jitter = Math.max(jitter, report.jitter ?? 0);
        }
        if (
          report.type === 'candidate-pair' &&
          report.state === 'succeeded' &&
          report.nominated &&
          report.currentRoundTripTime !== undefined
        ) {
          rtt = report.currentRoundTripTime * 1000;
        }
      },
    );
    const newReceived = received - (previous?.received ?? 0);
    const newLost = lost - (previous?.lost ?? 0);
    const loss = newReceived + newLost > 0 ? newLost / (newReceived + newLost) : 0;
    const jitterMs = jitter * 1000;
    return { level: qualityOf(loss, jitterMs, rtt), loss, jitterMs, roundTripMs: rtt, received, lost };
  }

  /**
   * Gets a connection ready for a call that rings here (the STUN/TURN servers fetched, the
   * RTCPeerConnection made — no microphone yet), so that answering does only what it must.
   */
  prepare(callId: string): void {
    void this.connection(callId).catch(() => undefined);
  }

  /** Whether this page holds a call's media. */
  holds(callId: string): boolean {
    return this.connections.has(callId);
  }

  private async connection(callId: string): Promise<RTCPeerConnection> {
    const existing = this.connections.get(callId);
    if (existing) return existing;
    const iceServers = await this.iceServers();
    // Asked while another request for this call was also waiting: one connection per call.
    let pc = this.connections.get(callId);
    if (pc) return pc;
    // Bundling is offered but not required: an answer from a plain SIP phone, relayed by a media
    // server that leaves out BUNDLE (RFC 8843), must still be acceptable.
    pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'balanced', rtcpMuxPolicy: 'require' });
    // Tell main when the media stops getting through and when it is back (it decides how long to wait).
    let flowing: boolean | undefined;
    pc.addEventListener('iceconnectionstatechange', () => {
      const state = pc!.iceConnectionState;
      const now =
        state === 'connected' || state === 'completed' ? true : state === 'disconnected' || state === 'failed' ? false : undefined;
      if (now === undefined || now === flowing) return;
      flowing = now;
      void this.api.calls.mediaState({ id: callId, flowing: now });
    });
    pc.addEventListener('track', (event) => {
      this.remotes.set(callId, event.streams[0] ?? new MediaStream([event.track]));
      this.onStreams(callId, this.streamsOf(callId));
    });
    this.connections.set(callId, pc);
    return pc;
  }

  private streamsOf(callId: string): CallStreams {
    const local = this.locals.get(callId);
    const remote = this.remotes.get(callId);
    return { ...(local ? { local } : {}), ...(remote ? { remote } : {}) };
  }

  /** My offer (or my answer to theirs), with the candidates gathered within the bound. */
  private async local(callId: string, video: boolean, hold: boolean, iceRestart: boolean): Promise<string> {
    const pc = await this.connection(callId);
    await this.ensureMedia(pc, callId, video);
    await this.setCamera(pc, callId, video);
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.currentDirection === 'stopped') continue;
      const kind = transceiver.receiver.track.kind;
      // On hold I only send (RFC 3264 §8.4). Without my camera, a video line still receives theirs,
      // as a person answering with audio still sees the caller.
      if (kind === 'video' && !video) transceiver.direction = hold ? 'inactive' : 'recvonly';
      else transceiver.direction = hold ? 'sendonly' : 'sendrecv';
    }
    const description = pc.signalingState === 'have-remote-offer' ? await pc.createAnswer() : await pc.createOffer({ iceRestart });
    await pc.setLocalDescription(description);
    await gathered(pc, ICE_GATHERING_BOUND_MS);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local SDP after setLocalDescription'); // a diagnostic for main's log
    return sdp;
  }

  /** Puts my camera into the call or takes it out (the camera's light goes off); the video line stays. */
  private async setCamera(pc: RTCPeerConnection, callId: string, on: boolean): Promise<void> {
    // A new stream object each time its tracks change: a media element showing the old one would
    // not show a camera added to it.
    const old = this.locals.get(callId)!;
    const track = old.getVideoTracks()[0];
    if (on && !track) {
      const video = await constraintFor('camera', this.devices().camera);
      const [camera] = (await navigator.mediaDevices.getUserMedia({ video })).getVideoTracks();
      if (!camera) throw new DOMException('getUserMedia gave no video track', 'NotFoundError');
      const local = new MediaStream([...old.getTracks(), camera]);
      this.locals.set(callId, local);
      // Reuse a video line the call already has (theirs, or mine from before) rather than adding one.
      const line = pc
        .getTransceivers()
        .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === 'video' && !t.sender.track);
      if (line) {
        await line.sender.replaceTrack(camera);
        line.sender.setStreams(local);
      } else pc.addTrack(camera, local);
      this.onStreams(callId, this.streamsOf(callId));
    } else if (!on && track) {
      track.stop();
      this.locals.set(callId, new MediaStream(old.getAudioTracks()));
      await pc
        .getSenders()
        .find((sender) => sender.track === track)
        ?.replaceTrack(null);
      this.onStreams(callId, this.streamsOf(callId));
    }
  }

  /** Back to the session before my refused offer. */
  private async rollback(callId: string): Promise<void> {
    const pc = this.connections.get(callId);
    if (pc?.signalingState !== 'have-local-offer') return;
    await pc.setLocalDescription({ type: 'rollback' });
    // A camera added for the refused offer goes off again (a line already sending keeps its camera).
    const local = this.locals.get(callId);
    for (const transceiver of pc.getTransceivers()) {
      const track = transceiver.sender.track;
      if (track?.kind !== 'video' || transceiver.currentDirection === 'sendrecv' || transceiver.currentDirection === 'sendonly') continue;
      track.stop();
      if (local) this.locals.set(callId, new MediaStream(local.getTracks().filter((t) => t !== track)));
      await transceiver.sender.replaceTrack(null);
      this.onStreams(callId, this.streamsOf(callId));
    }
  }

  private async remote(callId: string, sdp: string, kind: 'offer' | 'answer'): Promise<void> {
    const pc = await this.connection(callId);
    // Their offer while mine is still out here (glare, RFC 3261 §14.1): mine was refused, go back first.
    if (kind === 'offer' && pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
    await pc.setRemoteDescription({ type: kind, sdp });
  }

  private dtmf(callId: string, tones: string): void {
    const sender = this.connections
      .get(callId)
      ?.getSenders()
      .find((s) => s.track?.kind === 'audio');
    if (!sender?.dtmf?.canInsertDTMF) throw new Error('no DTMF sender on the audio track'); // a diagnostic for main's log
    sender.dtmf.insertDTMF(tones, 120, 70);
  }

  /** Microphone (and camera) for a call, asked for once; a refusal says what to do. */
  private async ensureMedia(pc: RTCPeerConnection, callId: string, video: boolean): Promise<void> {
    if (this.locals.has(callId)) return;
    const devices = this.devices();
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: await constraintFor('microphone', devices.microphone),
      video: video && (await constraintFor('camera', devices.camera)),
    });
    this.locals.set(callId, stream);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    this.onStreams(callId, this.streamsOf(callId));
  }
}

/** Resolves when ICE gathering is complete, or after `bound` ms, whichever is first. */
function gathered(pc: RTCPeerConnection, bound: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, bound);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** What kind of media failure this is (getUserMedia's and WebRTC's error names). */
export function mediaFailureOf(error: unknown): MediaFailure {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return MediaFailure.NotAllowed;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return MediaFailure.NotFound;
  if (name === 'NotReadableError') return MediaFailure.InUse;
  return MediaFailure.Other;
}

/** A media failure in words a person can act on. */
export function mediaErrorText(error: unknown): string {
  const failure = mediaFailureOf(error);
  if (failure !== MediaFailure.Other) return callEndText(mediaFailureEnd(failure));
  const message = error instanceof Error ? error.message : String(error);
  return t('media.failedWith', { message }).slice(0, 500);
}
