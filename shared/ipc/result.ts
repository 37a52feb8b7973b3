import type { CallEnd } from '../domain/calls.js';
import type { CertificateInfo } from '../domain/certificate.js';
import type { SignInFailure } from '../domain/connection.js';
import type { Problem, ProblemValues } from '../domain/problem.js';

/**
 * What crosses the IPC boundary instead of a thrown error: thrown `Error` subclasses do not survive
 * structured cloning or JSON, so every request answers with a `Result`.
 */

/** Why a request failed, as something the UI can switch over. */
export type ErrorKind =
  /** A payload or a field failed validation; `field` names the form field when there is one. */
  | 'invalid'
  /** The server rejected the credentials (401/403 after the digest challenge). */
  | 'auth'
  /** The server could not be reached (connection refused, DNS, time-out, not a SIP WebSocket). */
  | 'unreachable'
  /** The server's certificate is not trusted (self-signed, unknown issuer, another name); see `certificate`. */
  | 'untrusted'
  /** The server answered, but refused the request for another reason. */
  | 'rejected'
  /** The request makes no sense in the current state (e.g. signing in twice). */
  | 'state'
  /** The caller is not allowed to ask (wrong frame, missing secret). */
  | 'forbidden'
  /** A bug or an unexpected failure inside Parley. */
  | 'internal';

/**
 * A failure, as values: the page says it in its own words (`problemText`), so nothing here is a
 * sentence and nothing in it needs translating.
 */
export interface IpcError {
  /** What kind of failure this is. */
  readonly kind: ErrorKind;
  /** Why, as a value. */
  readonly problem: Problem;
  /** The names and numbers the problem's words take. */
  readonly values?: ProblemValues;
  /** The form field the failure belongs to, for an inline error. */
  readonly field?: string;
  /** For `untrusted`: the certificate the server showed, for the person to decide. */
  readonly certificate?: CertificateInfo;
  /** For `Problem.SignIn`: why signing in failed. */
  readonly signIn?: SignInFailure;
  /** How the other side refused (a transfer, a hold, video), when they did. */
  readonly end?: CallEnd;
  /** The failure that caused this one (putting the current call on hold, to answer another). */
  readonly cause?: IpcError;
}

/** `{ ok, value } | { ok: false, error }`: every IPC answer. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result: `problem`, with its field, values, refusal or cause when it has them. */
export function err<T = never>(kind: ErrorKind, problem: Problem, more: Omit<IpcError, 'kind' | 'problem'> | string = {}): Result<T> {
  return { ok: false, error: { kind, problem, ...(typeof more === 'string' ? { field: more } : more) } };
}
