import { parse, type MediaAttributes, type SessionDescription } from 'sdp-transform';

/**
 * What Parley reads in SDP (RFC 4566) bodies that main sees: directions, video, whether WebRTC can
 * take them. Parsed with sdp-transform (a maintained grammar), not by hand. A body that does not
 * parse reads as one without media.
 */

type Direction = 'sendrecv' | 'recvonly' | 'sendonly' | 'inactive';
type Media = SessionDescription['media'][number];

function read(sdp: string): SessionDescription | undefined {
  try {
    return parse(sdp);
  } catch {
    return undefined;
  }
}

/** A media section's direction: its own, else the session's, else sendrecv (RFC 3264 §5.1). */
function directionOf(media: Media, session: SessionDescription): Direction {
  return (media.direction ?? session.direction ?? 'sendrecv') as Direction;
}

/** True when every media section of `sdp` is sendonly or inactive (the other side holds). */
export function isHoldOffer(sdp: string): boolean {
  const session = read(sdp);
  if (!session || session.media.length === 0) return false;
  return session.media.every((media) => {
    if (media.port === 0) return true;
    const direction = directionOf(media, session);
    return direction === 'sendonly' || direction === 'inactive';
  });
}

/**
 * True when `sdp` (theirs) sends video: a video line with a port that is sendrecv or sendonly from
 * their side (RFC 3264 §6: no direction attribute means sendrecv).
 */
export function sendsVideo(sdp: string): boolean {
  const session = read(sdp);
  return (session?.media ?? []).some((media) => {
    if (media.type !== 'video' || media.port === 0) return false;
    const direction = directionOf(media, session!);
    return direction === 'sendrecv' || direction === 'sendonly';
  });
}

/**
 * Why an SDP offer or answer cannot be taken by WebRTC, in words, or null when it can: WebRTC needs DTLS-SRTP
 * (a fingerprint, RFC 5763 §5) and ICE (RFC 8839) — a plain-RTP phone reaches it only through a
 * media relay on the server.
 */
export function unusableSdp(sdp: string): string | null {
  const session = read(sdp);
  const live = (session?.media ?? []).filter((media) => (media.type === 'audio' || media.type === 'video') && media.port > 0);
  if (live.length === 0) return null;
  // Each may be given for the session or for each media section.
  const encrypted = session!.fingerprint !== undefined || live.some((media) => media.fingerprint !== undefined);
  const ice = session!.iceUfrag !== undefined || live.some((media) => media.iceUfrag !== undefined);
  if (encrypted && ice) return null;
  return "their phone's media is not encrypted for the web (no DTLS-SRTP/ICE); the server needs a media relay for calls with it";
}

/**
 * Whether keypad tones can go in the media (RFC 4733) to the side whose SDP this is: they take
 * `telephone-event` at the clock rate of the audio Parley may send them — 48 kHz when they take
 * opus. A phone that answers opus with only `telephone-event/8000` (baresip) gets events it cannot
 * read at that clock (RFC 4733 §2.1: the event clock is the audio codec's), so tones go as SIP INFO.
 */
export function tonesInMedia(sdp: string): boolean {
  const audio = read(sdp)?.media.find((media) => media.type === 'audio' && media.port > 0);
  if (!audio) return false;
  const rtp: MediaAttributes['rtp'] = audio.rtp;
  const events = rtp.filter((codec) => codec.codec.toLowerCase() === 'telephone-event').map((codec) => codec.rate);
  if (events.length === 0) return false;
  const wideband = rtp.some((codec) => codec.codec.toLowerCase() !== 'telephone-event' && codec.rate === 48_000);
  return !wideband || events.includes(48_000);
}
