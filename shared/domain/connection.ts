/**
 * The connection to the SIP server, as a state machine the UI switches over exhaustively.
 *
 * ```
 *            signIn()                 200 OK to REGISTER
 * signedOut ─────────► signingIn ───────────────────────► registered
 *    ▲                   │ 401/403, unreachable             │   ▲
 *    │◄──────────────────┘  (error kept for the form)       │   │ re-REGISTER 200 OK
 *    │                                                       ▼   │
 *    │   401/403 while retrying                        reconnecting (backoff with jitter)
 *    │◄──────────────────────────────────────────────────────┘
 *    │
 *    └──────── signingOut ◄── signOut() from any signed-in state (REGISTER Expires: 0)
 * ```
 */

import type { Identity } from './account.js';
import type { IpcError } from '../ipc/result.js';
import { t } from '../i18n/format.js';

/** Why signing in, or staying signed in, failed: a value; the words come from the catalogue. */
export const SignInProblem = {
  /** 401/407 after the digest challenge, or 403 (RFC 3261 §22.2). */
  AuthFailed: 'authFailed',
  /** Any other final refusal of the REGISTER. */
  Refused: 'refused',
  /** No answer in time (no status), or 408/480/503. */
  NotAnswering: 'notAnswering',
  /** A 200 that grants (almost) no time. */
  TooBrief: 'tooBrief',
  ConnectionRefused: 'connectionRefused',
  HostNotFound: 'hostNotFound',
  /** An HTTP server that did not upgrade to a SIP WebSocket. */
  NotSipWebSocket: 'notSipWebSocket',
  SelfSigned: 'selfSigned',
  OtherName: 'otherName',
  CertificateExpired: 'certificateExpired',
  /** Not the certificate the person trusted for this account. */
  CertificateChanged: 'certificateChanged',
  UnknownIssuer: 'unknownIssuer',
  Unreachable: 'unreachable',
  ConnectionLost: 'connectionLost',
  /** A refresh failed, or the binding expired, while registered. */
  RegistrationLapsed: 'registrationLapsed',
  /** The server stopped answering the liveness check (OPTIONS). */
  ServerSilent: 'serverSilent',
} as const;
export type SignInProblem = (typeof SignInProblem)[keyof typeof SignInProblem];

/** A sign-in problem with what its words name. */
export interface SignInFailure {
  readonly problem: SignInProblem;
  /** The server address as the person typed it. */
  readonly server?: string;
  readonly host?: string;
  /** The SIP or HTTP status, when one came. */
  readonly status?: number;
  /** The server's reason phrase (network text, cleaned). */
  readonly phrase?: string;
  /** For `tooBrief`: how long the server kept the registration. */
  readonly seconds?: number;
}

/** A sign-in problem in words. */
export function signInFailureText(failure: SignInFailure): string {
  return t(`signIn.problem.${failure.problem}`, {
    server: failure.server ?? '',
    host: failure.host ?? '',
    status: String(failure.status ?? 0),
    phrase: failure.phrase ?? '',
    seconds: failure.seconds ?? 0,
  });
}

/** Where the connection stands. */
export type ConnectionState =
  | { readonly status: 'signedOut'; readonly error?: IpcError }
  | { readonly status: 'signingIn'; readonly identity: Identity }
  | { readonly status: 'registered'; readonly identity: Identity; readonly since: number }
  | {
      readonly status: 'reconnecting';
      readonly identity: Identity;
      /** 1 for the first retry. */
      readonly attempt: number;
      /** Epoch milliseconds of the next attempt. */
      readonly retryAt: number;
      /** Why the last attempt failed. */
      readonly reason: SignInFailure;
    }
  | { readonly status: 'signingOut'; readonly identity: Identity };

/** The name of a connection state (`ConnectionState['status']`). */
export type ConnectionStatus = ConnectionState['status'];
