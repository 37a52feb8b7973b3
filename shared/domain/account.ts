/** The SIP account a person signs in with, as the UI and main exchange it. */

import { Problem, type FieldError, type ProblemOf } from './problem.js';
import { isHost, isHttpUrl, parseServerUrl, parseSipAddress, serverFor } from './sip-address.js';

/** What the sign-in form sends. The password never comes back out of main. */
export interface SignInParams {
  /** SIP address: `alice@example.com` or `sip:alice@example.com`. */
  readonly address: string;
  /** The password; empty means "use the remembered one". */
  readonly password: string;
  /** `ws://` or `wss://` URL of the SIP-over-WebSocket endpoint. */
  readonly server: string;
  /** Authorization user name when it differs from the user part of the address. */
  readonly authUser?: string;
  /** The name others see. */
  readonly displayName?: string;
  /** Keep the password for the next start. */
  readonly rememberPassword: boolean;
  /** XCAP root for presence rules (RFC 4825); empty: derived from the server URL. */
  readonly xcapRoot?: string;
  /** STUN/TURN servers for calls (`turn:host:3478`, `stun:host`), at most `ICE_SERVERS_MAX`. */
  readonly iceServers?: readonly string[];
  /** The TURN user name. */
  readonly iceUser?: string;
  /** The TURN password; empty means "the remembered one". */
  readonly icePassword?: string;
  /**
   * The domain (or host) a phone-network gateway's calls come from, when it is not my own: a number
   * in such a call names my contact, as in a call from my own domain. Empty: only my own domain.
   */
  readonly gateway?: string;
}

/** The remembered account, without its password. */
export interface SavedAccount {
  /** Normalised SIP URI (`sip:alice@example.com`). */
  readonly uri: string;
  /** The server URL. */
  readonly server: string;
  /** Authorization user, or empty. */
  readonly authUser: string;
  /** Display name, or empty. */
  readonly displayName: string;
  /** Whether the person asked Parley to keep the password. */
  readonly rememberPassword: boolean;
  /** Whether a password is actually kept (and a sign-in can run without typing it). */
  readonly hasPassword: boolean;
  /** The configured XCAP root, or empty for the default. */
  readonly xcapRoot: string;
  /** SHA-256 fingerprint of the certificate trusted for this account's private server, or empty. */
  readonly trustedCertificate: string;
  /** STUN/TURN server URLs, one per line ('' for none). */
  readonly iceServers: string;
  readonly iceUser: string;
  /** Whether a TURN password is kept. */
  readonly hasIcePassword: boolean;
  /** The phone gateway's domain, or empty. */
  readonly gateway: string;
}

/** Who is signed in, as the header shows it. */
export interface Identity {
  /** Normalised SIP URI. */
  readonly uri: string;
  /** `user@host`. */
  readonly address: string;
  /** Display name, or empty. */
  readonly displayName: string;
}

/** Limits that keep a hostile or mistaken payload from growing without bound. */
export const ACCOUNT_LIMITS = {
  address: 320,
  password: 1024,
  server: 2048,
  authUser: 256,
  displayName: 128,
  xcapRoot: 2048,
  iceServers: 2048,
  /** One STUN/TURN URL. */
  iceServer: 512,
  iceUser: 256,
  gateway: 253,
} as const;

/** At most this many STUN/TURN servers (each one gathers candidates and delays the call). */
export const ICE_SERVERS_MAX = 4;

/** STUN/TURN server URLs (RFC 7064 / RFC 7065): `stun:` / `stuns:` / `turn:` / `turns:`, host, port, transport. */
const ICE_URL = /^(stuns?|turns?):(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/i;

/** The STUN/TURN URLs in what was typed: separated by spaces, commas or lines. */
export function splitIceServers(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((url) => url.trim())
    .filter(Boolean);
}

/** The STUN/TURN URLs given, checked, or what is wrong with them. */
export function parseIceServers(given: readonly string[] | string): { urls: string[] } | { error: ProblemOf } {
  const urls = typeof given === 'string' ? splitIceServers(given) : given.map((url) => url.trim()).filter(Boolean);
  if (urls.length > ICE_SERVERS_MAX) return { error: { problem: Problem.IceServersTooMany, values: { max: ICE_SERVERS_MAX } } };
  const bad = urls.find((url) => url.length > 512 || !ICE_URL.test(url));
  if (bad !== undefined) return { error: { problem: Problem.IceServerBad, values: { url: bad.slice(0, 80) } } };
  return { urls };
}

/** Whether any of these servers is a TURN server (which needs a user name and password). */
export const needsTurnCredentials = (urls: readonly string[]): boolean => urls.some((url) => /^turns?:/i.test(url));

/**
 * Checks the sign-in form. The renderer calls it before sending (inline errors, nothing leaves the
 * page); main calls it again, because the renderer is not trusted.
 */
export function validateSignIn(params: SignInParams, opts: { passwordKnown: boolean; icePasswordKnown?: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  if (params.address.trim() === '') errors.push({ field: 'address', problem: Problem.AddressEmpty });
  else if (params.address.length > ACCOUNT_LIMITS.address || !parseSipAddress(params.address))
    errors.push({ field: 'address', problem: Problem.NotMySipAddress });
  if (params.password === '' && !opts.passwordKnown) errors.push({ field: 'password', problem: Problem.PasswordEmpty });
  else if (params.password.length > ACCOUNT_LIMITS.password) errors.push({ field: 'password', problem: Problem.PasswordTooLong });
  const server = serverFor(params.server, params.address);
  if (server === '') errors.push({ field: 'server', problem: Problem.ServerEmpty });
  else if (params.server.length > ACCOUNT_LIMITS.server || !parseServerUrl(server))
    errors.push({ field: 'server', problem: Problem.ServerNotWebSocket });
  const authUser = params.authUser?.trim() ?? '';
  if (authUser.length > ACCOUNT_LIMITS.authUser || /[\s\p{Cc}]/u.test(authUser))
    errors.push({ field: 'authUser', problem: Problem.AuthUserBad });
  const displayName = params.displayName ?? '';
  if (displayName.length > ACCOUNT_LIMITS.displayName || /\p{Cc}/u.test(displayName))
    errors.push({
      field: 'displayName',
      problem: Problem.DisplayNameBad,
      values: { max: ACCOUNT_LIMITS.displayName },
    });
  const ice = parseIceServers(params.iceServers ?? []);
  if ('error' in ice) errors.push({ field: 'iceServers', ...ice.error });
  else if (needsTurnCredentials(ice.urls)) {
    const user = params.iceUser?.trim() ?? '';
    if (user === '' || user.length > ACCOUNT_LIMITS.iceUser || /[\p{Cc}]/u.test(user))
      errors.push({ field: 'iceUser', problem: Problem.TurnUserEmpty });
    if ((params.icePassword ?? '') === '' && !opts.icePasswordKnown)
      errors.push({ field: 'icePassword', problem: Problem.TurnPasswordEmpty });
    else if ((params.icePassword ?? '').length > ACCOUNT_LIMITS.password)
      errors.push({ field: 'icePassword', problem: Problem.PasswordTooLong });
  }
  const gateway = params.gateway?.trim() ?? '';
  if (gateway !== '' && (gateway.length > ACCOUNT_LIMITS.gateway || !isHost(gateway)))
    errors.push({ field: 'gateway', problem: Problem.GatewayBad });
  const xcapRoot = params.xcapRoot?.trim() ?? '';
  if (xcapRoot !== '' && (xcapRoot.length > ACCOUNT_LIMITS.xcapRoot || !isHttpUrl(xcapRoot)))
    errors.push({
      field: 'xcapRoot',
      problem: Problem.XcapRootBad,
    });
  return errors;
}
