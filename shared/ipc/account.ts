/** The `account` and `connection` domains: signing in and out, and the state of the connection. */

import { ACCOUNT_LIMITS, ICE_SERVERS_MAX, type SavedAccount } from '../domain/account.js';
import { FINGERPRINT_MAX } from '../domain/certificate.js';
import type { ConnectionState } from '../domain/connection.js';
import { event, type EventSpecs } from './define.js';
import { bool, list, none, obj, optional, str } from './schema.js';

export const accountRequests = {
  'account:get': none,
  'account:signIn': obj({
    address: str(ACCOUNT_LIMITS.address),
    password: str(ACCOUNT_LIMITS.password),
    server: str(ACCOUNT_LIMITS.server),
    authUser: optional(str(ACCOUNT_LIMITS.authUser)),
    displayName: optional(str(ACCOUNT_LIMITS.displayName)),
    rememberPassword: bool,
    xcapRoot: optional(str(ACCOUNT_LIMITS.xcapRoot)),
    iceServers: optional(list(str(ACCOUNT_LIMITS.iceServer), ICE_SERVERS_MAX)),
    iceUser: optional(str(ACCOUNT_LIMITS.iceUser)),
    icePassword: optional(str(ACCOUNT_LIMITS.password)),
    gateway: optional(str(ACCOUNT_LIMITS.gateway)),
  }),
  'account:signOut': none,
  /** Trusts a certificate (SHA-256 fingerprint) for this account's server; an empty one stops trusting. */
  'account:trustCertificate': obj({ address: str(ACCOUNT_LIMITS.address), fingerprint: str(FINGERPRINT_MAX) }),
  'connection:get': none,
  /** "Try now": retry at once while reconnecting, or check a registered connection. */
  'connection:check': none,
};

export interface AccountResponses {
  'account:get': SavedAccount | null;
  'account:signIn': ConnectionState;
  'account:signOut': ConnectionState;
  'account:trustCertificate': void;
  'connection:get': ConnectionState;
  'connection:check': ConnectionState;
}

export const accountEvents = {
  /** The connection state changed (signing in, registered, reconnecting, signed out). */
  onDidChangeConnection: event<ConnectionState>(),
} satisfies EventSpecs;
