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
