import type { Database } from 'better-sqlite3';
import type { MyStatus } from '../../shared/domain/presence.js';
import { prepared } from './statements.js';

/** What Parley keeps per account besides its contacts: my presence choices and server details. */
export interface AccountState {
  readonly status: MyStatus;
  readonly note: string;
  /** Minutes without input before Available shows as Away (0: never). */
  readonly idleMinutes: number;
  /** The XCAP root set at sign-in; empty means "derived from the server URL". */
  readonly xcapRoot: string;
  /** A pres-rules decision is recorded here but not yet on the server. */
  readonly presRulesDirty: boolean;
  /** SHA-256 fingerprint of the certificate trusted for this account, or empty. */
  readonly trustedCertificate: string;
  /** STUN/TURN server URLs, one per line, or empty. */
  readonly iceServers: string;
  /** The TURN user name, or empty. */
  readonly iceUser: string;
  /** The phone gateway's domain (its calls' numbers name contacts), or empty. */
  readonly gateway: string;
}

/** What an account that never changed anything has. */
export const DEFAULT_ACCOUNT_STATE: AccountState = {
  status: 'available',
  note: '',
  idleMinutes: 10,
  xcapRoot: '',
  presRulesDirty: false,
  trustedCertificate: '',
  iceServers: '',
  iceUser: '',
  gateway: '',
};

interface Row {
  status: MyStatus;
  note: string;
  idle_minutes: number;
  xcap_root: string;
  pres_rules_dirty: number;
  trusted_cert: string;
  ice_servers: string;
  ice_user: string;
  gateway: string;
}

/** The account's state (defaults for an account never seen). */
export function getAccountState(db: Database, owner: string): AccountState {
  const row = prepared<[string], Row>(
    db,
    'SELECT status, note, idle_minutes, xcap_root, pres_rules_dirty, trusted_cert, ice_servers, ice_user, gateway FROM account_state WHERE owner = ?',
  ).get(owner);
  if (!row) return DEFAULT_ACCOUNT_STATE;
  return {
    status: row.status,
    note: row.note,
    idleMinutes: row.idle_minutes,
    xcapRoot: row.xcap_root,
    presRulesDirty: row.pres_rules_dirty === 1,
    trustedCertificate: row.trusted_cert,
    iceServers: row.ice_servers,
    iceUser: row.ice_user,
    gateway: row.gateway,
  };
}

/** Changes some of the account's state (creating its row on first use). */
export function updateAccountState(db: Database, owner: string, changes: Partial<AccountState>): AccountState {
  const next = { ...getAccountState(db, owner), ...changes };
  prepared(
    db,
    `INSERT INTO account_state (owner, status, note, idle_minutes, xcap_root, pres_rules_dirty, trusted_cert, ice_servers, ice_user, gateway)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (owner) DO UPDATE SET status = excluded.status, note = excluded.note, idle_minutes = excluded.idle_minutes,
       xcap_root = excluded.xcap_root, pres_rules_dirty = excluded.pres_rules_dirty, trusted_cert = excluded.trusted_cert,
       ice_servers = excluded.ice_servers, ice_user = excluded.ice_user, gateway = excluded.gateway`,
  ).run(
    owner,
    next.status,
    next.note,
    next.idleMinutes,
    next.xcapRoot,
    next.presRulesDirty ? 1 : 0,
    next.trustedCertificate,
    next.iceServers,
    next.iceUser,
    next.gateway,
  );
  return next;
}
