import type { Engine } from '../../main/engine.js';
import type { MediaRequest } from '../../shared/domain/calls.js';

/**
 * The session description a page would make, at once and without WebRTC: audio (and video when the
 * call has it), on hold as the page would put it (sendonly, RFC 3264 §8.4), answering holds in
 * kind (recvonly), with the DTLS fingerprint and ICE credentials that make it WebRTC's.
 */
export function fakeSdp(
  options: { video?: boolean; direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'; version?: number } = {},
): string {
  const direction = options.direction ?? 'sendrecv';
  const media = (kind: 'audio' | 'video', payload: string) => [
    `m=${kind} 9 UDP/TLS/RTP/SAVPF ${payload}`,
    'c=IN IP4 127.0.0.1',
    'a=ice-ufrag:test',
    'a=ice-pwd:testtesttesttesttesttest',
    `a=${direction}`,
  ];
  return [
    'v=0',
    `o=- 1 ${options.version ?? 1} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    ...media('audio', '0'),
    ...(options.video ? media('video', '96') : []),
    '',
  ].join('\r\n');
}

/**
 * A media bridge for an engine without a page: every request is answered at once, as the page
 * holding the call would — my offer or answer (on hold when the call is held, recvonly when their
 * offer held me), their description taken, tones and closing done. Returns what it was asked, in order.
 */
export function answerMediaAtOnce(engine: Engine): MediaRequest[] {
  const asked: MediaRequest[] = [];
  /** Per call: their last offer held me. */
  const heldByThem = new Map<string, boolean>();
  let version = 1;
  engine.calls.media.onDidRequest((request) => {
    asked.push(request);
    if (request.action === 'remote' && request.kind === 'offer') {
      heldByThem.set(request.callId, /^a=(sendonly|inactive)\s*$/m.test(request.sdp));
    }
    if (request.action !== 'local') {
      engine.calls.mediaReply(request.requestId, { ok: true });
      return;
    }
    const direction = request.hold ? 'sendonly' : heldByThem.get(request.callId) ? 'recvonly' : 'sendrecv';
    engine.calls.mediaReply(request.requestId, {
      ok: true,
      sdp: fakeSdp({ video: request.tracks.includes('camera'), direction, version: ++version }),
    });
  });
  return asked;
}
