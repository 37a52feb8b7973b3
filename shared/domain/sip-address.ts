/**
 * SIP addresses and SIP-over-WebSocket server URLs as people type them, parsed without any runtime
 * (no `URL`, no DOM) so that the renderer can show an inline error before anything is sent and main
 * can check the same thing again at the boundary.
 */

/** A SIP address of record, normalised. */
export interface SipAddress {
  /** `sip` or `sips` (RFC 3261 §19.1). */
  readonly scheme: 'sip' | 'sips';
  /** The user part, as typed (user parts are case-sensitive, RFC 3261 §19.1.4). */
  readonly user: string;
  /** The host part, lower-cased (host names are case-insensitive). */
  readonly host: string;
  /** The normalised URI, e.g. `sip:alice@example.com`. */
  readonly uri: string;
  /** `user@host`, how people read it. */
  readonly address: string;
}

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ). We accept that set minus ';'
// and '?' (they would start URI parameters and headers, which an address of record does not carry).
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,/]|%[0-9A-Fa-f]{2})+$/;
// A host name (RFC 1123 labels), an IPv4 address or a bracketed IPv6 reference.
const HOSTNAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/** True when `host` is a host name, an IPv4 address or a bracketed IPv6 reference. */
export function isHost(host: string): boolean {
  return HOSTNAME.test(host) || IPV4.test(host) || IPV6.test(host);
}

/** A bare user name, as one types a colleague's: "bob", "j.smith" (a letter first, no domain). */
export const isBareUser = (typed: string): boolean => /^[A-Za-z][A-Za-z0-9._~-]{0,63}$/.test(typed.trim());

/** "bob" completed to `bob@<domain>` (a colleague on my own server); anything else as typed. */
export function completeAddress(typed: string, domain: string): string {
  return isBareUser(typed) ? `${typed.trim()}@${domain}` : typed;
}

/**
 * Parses `alice@example.com`, `sip:alice@example.com` or `sips:alice@example.com` (surrounding space
 * and angle brackets are ignored). Returns `null` for anything else.
 */
export function parseSipAddress(input: string): SipAddress | null {
  let text = input.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
  let scheme: 'sip' | 'sips' = 'sip';
  const schemeMatch = /^(sips?):/i.exec(text);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase() as 'sip' | 'sips';
    text = text.slice(schemeMatch[0].length);
  }
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return null;
  const user = text.slice(0, at);
  const host = text
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (user.length > 256 || !USER.test(user) || !isHost(host)) return null;
  return { scheme, user, host, uri: `${scheme}:${user}@${host}`, address: `${user}@${host}` };
}

/** A SIP-over-WebSocket endpoint (RFC 7118), normalised. */
export interface ServerUrl {
  /** `ws` or `wss`. */
  readonly scheme: 'ws' | 'wss';
  /** Host name or address, lower-cased. */
  readonly host: string;
  /** Explicit port, if one was given. */
  readonly port?: number;
  /** The normalised URL. */
  readonly url: string;
}

const SERVER = /^(wss?):\/\/([^/?#:@[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?(\/[^\s?#]*)?(\?[^\s#]*)?$/i;

/** Parses a `ws://` or `wss://` URL without credentials or fragment. Returns `null` for anything else. */
export function parseServerUrl(input: string): ServerUrl | null {
  const match = SERVER.exec(input.trim());
  if (!match) return null;
  const scheme = match[1]!.toLowerCase() as 'ws' | 'wss';
  const host = match[2]!.toLowerCase();
  if (!isHost(host)) return null;
  let port: number | undefined;
  if (match[3] !== undefined) {
    port = Number(match[3]);
    if (port < 1 || port > 65535) return null;
  }
  const path = match[4] ?? '';
  const query = match[5] ?? '';
  const url = `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path === '' ? '' : path}${query}`;
  return port === undefined ? { scheme, host, url } : { scheme, host, port, url };
}

/**
 * The server a person means: empty is `wss://<the address's domain>` (as Lync needs only address
 * and password), and a bare `host`, `host:port` or `host:port/path` gets `wss://` in front. Anything
 * else is returned as typed, for `parseServerUrl` to judge.
 */
export function serverFor(input: string, address: string): string {
  const typed = input.trim();
  if (typed === '') {
    const domain = parseSipAddress(address)?.host;
    return domain ? `wss://${domain}` : '';
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `wss://${typed}`;
}

/** The XCAP root (RFC 4825) a SIP-over-WebSocket server most likely has: same host, `/xcap-root`. */
export function defaultXcapRoot(server: string): string {
  const parsed = parseServerUrl(server);
  if (!parsed) return '';
  return `${parsed.scheme === 'wss' ? 'https' : 'http'}://${parsed.host}${parsed.port === undefined ? '' : `:${parsed.port}`}/xcap-root`;
}

/** True for an `http://` or `https://` URL without credentials or fragment (an XCAP root). */
export function isHttpUrl(input: string): boolean {
  const match = /^https?:\/\/([^/?#:@[\]\s]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?(\/[^\s?#]*)?$/i.exec(input.trim());
  return !!match && isHost(match[1]!.toLowerCase()) && (match[2] === undefined || (Number(match[2]) >= 1 && Number(match[2]) <= 65535));
}
