/** What Parley reads in SDP (RFC 4566) bodies that main sees: directions, video, whether WebRTC can take them. */

/** True when every media section of `sdp` is sendonly or inactive (the other side holds). */
export function isHoldOffer(sdp: string): boolean {
  const sections = sdp.split(/\r?\nm=/).slice(1);
  if (sections.length === 0) return false;
  const sessionLevel = sdp.split(/\r?\nm=/)[0]!;
  const sessionDirection = /\r?\na=(sendonly|inactive|sendrecv|recvonly)/.exec(sessionLevel)?.[1];
  return sections.every((section) => {
    const port = /^\S+\s+(\d+)/.exec(section)?.[1];
    if (port === '0') return true;
    const direction = /\r?\na=(sendonly|inactive|sendrecv|recvonly)/.exec(section)?.[1] ?? sessionDirection ?? 'sendrecv';
    return direction === 'sendonly' || direction === 'inactive';
  });
}

/**
 * True when `sdp` (theirs) sends video: a video line with a port that is sendrecv or sendonly from
 * their side (RFC 3264 §6: no direction attribute means sendrecv).
 */
export function sendsVideo(sdp: string): boolean {
  const parts = sdp.split(/\r?\nm=/);
  const sessionDirection = /\r?\na=(sendonly|inactive|sendrecv|recvonly)/.exec(parts[0]!)?.[1];
  return parts.slice(1).some((section) => {
    const match = /^video\s+(\d+)/.exec(section);
    if (!match || match[1] === '0') return false;
    const direction = /\r?\na=(sendonly|inactive|sendrecv|recvonly)/.exec(section)?.[1] ?? sessionDirection ?? 'sendrecv';
    return direction === 'sendrecv' || direction === 'sendonly';
  });
}

/**
 * Why an SDP offer or answer cannot be taken by WebRTC, in words, or null when it can: WebRTC needs DTLS-SRTP
 * (a fingerprint, RFC 5763 §5) and ICE (RFC 8839) — a plain-RTP phone reaches it only through a
 * media relay on the server.
 */
export function unusableSdp(sdp: string): string | null {
  if (!/^m=(audio|video) [1-9]/m.test(sdp)) return null;
  const encrypted = /^a=fingerprint:/m.test(sdp);
  const ice = /^a=ice-ufrag:/m.test(sdp);
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
  const audio = sdp.split(/\r?\nm=/).find((section) => /^audio\s+[1-9]/.test(section));
  if (!audio) return false;
  const rates = (name: string) =>
    [...audio.matchAll(/\r?\na=rtpmap:\d+\s+([\w.-]+)\/(\d+)/g)]
      .filter((m) => (m[1]!.toLowerCase() === name) === true)
      .map((m) => Number(m[2]));
  const events = rates('telephone-event');
  if (events.length === 0) return false;
  const wideband = [...audio.matchAll(/\r?\na=rtpmap:\d+\s+([\w.-]+)\/(\d+)/g)].some(
    (m) => m[1]!.toLowerCase() !== 'telephone-event' && Number(m[2]) === 48_000,
  );
  return !wideband || events.includes(48_000);
}
