import { expect, test } from 'vitest';
import { isHoldOffer, sendsVideo, tonesInMedia, unusableSdp } from '../../../main/calls/sdp.js';

const sdp = (...sections: string[]) => ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', ...sections].join('\r\n') + '\r\n';
const audio = (direction?: string) => `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0${direction ? `\r\na=${direction}` : ''}`;
const video = (direction?: string, port = 9) =>
  `m=video ${port} UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0${direction ? `\r\na=${direction}` : ''}`;

test('they send video when a video line with a port is sendrecv, sendonly or has no direction (RFC 3264 §6)', () => {
  expect(sendsVideo(sdp(audio(), video()))).toBe(true);
  expect(sendsVideo(sdp(audio('sendrecv'), video('sendonly')))).toBe(true);
  expect(sendsVideo(sdp(audio(), video('recvonly')))).toBe(false);
  expect(sendsVideo(sdp(audio(), video('inactive')))).toBe(false);
  expect(sendsVideo(sdp(audio(), video('sendrecv', 0)))).toBe(false);
  expect(sendsVideo(sdp(audio()))).toBe(false);
  // A session-level direction applies to lines without their own.
  expect(sendsVideo(sdp('a=inactive', audio(), video()))).toBe(false);
});

test('an offer holds me when every line is sendonly or inactive (RFC 3264 §8.4)', () => {
  expect(isHoldOffer(sdp(audio('sendonly'), video('sendonly')))).toBe(true);
  expect(isHoldOffer(sdp(audio('inactive')))).toBe(true);
  expect(isHoldOffer(sdp(audio('sendonly'), video('recvonly')))).toBe(false);
  expect(isHoldOffer(sdp(audio()))).toBe(false);
  expect(isHoldOffer(sdp('a=sendonly', audio()))).toBe(true);
});

test('WebRTC takes media with DTLS-SRTP and ICE; plain RTP is said to need a media relay; no media at all is not judged', () => {
  const webrtc = sdp(`${audio()}\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=fingerprint:sha-256 AB:CD`);
  expect(unusableSdp(webrtc)).toBeNull();
  expect(unusableSdp(sdp('m=audio 4000 RTP/AVP 0'))).toMatch(/media relay/);
  expect(unusableSdp(sdp(`${audio()}\r\na=fingerprint:sha-256 AB:CD`))).toMatch(/no DTLS-SRTP\/ICE/);
  expect(unusableSdp(sdp('m=audio 0 RTP/AVP 0'))).toBeNull();
});

test('keypad tones go in the media only at the clock of the audio they take (RFC 4733 §2.1); else as SIP INFO', () => {
  const answer = (...maps: string[]) => ['v=0', 's=-', 'm=audio 9 RTP/AVP 111 0 126', ...maps.map((m) => `a=rtpmap:${m}`), ''].join('\r\n');
  // baresip answering opus: events only at 8 kHz — not readable at opus's clock.
  expect(tonesInMedia(answer('111 opus/48000/2', '0 PCMU/8000', '126 telephone-event/8000'))).toBe(false);
  // A browser: events at both clocks.
  expect(tonesInMedia(answer('111 opus/48000/2', '110 telephone-event/48000', '126 telephone-event/8000'))).toBe(true);
  // A phone on G.711 with events at 8 kHz.
  expect(tonesInMedia(answer('0 PCMU/8000', '126 telephone-event/8000'))).toBe(true);
  // No telephone-event at all.
  expect(tonesInMedia(answer('0 PCMU/8000'))).toBe(false);
});
