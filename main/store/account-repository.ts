import type { Database } from 'better-sqlite3';
import { prepared } from './statements.js';

/** The stored account row (no password: see the secret store). */
export interface AccountRecord {
  readonly uri: string;
  readonly server: string;
  readonly authUser: string;
  readonly displayName: string;
  readonly rememberPassword: boolean;
  readonly autoSignIn: boolean;
}

interface AccountRow {
  uri: string;
  server: string;
  auth_user: string;
  display_name: string;
  remember_password: number;
  auto_sign_in: number;
}

/** The remembered account, or `null`. */
export function getAccount(db: Database): AccountRecord | null {
  const row = prepared<[], AccountRow>(
    db,
    'SELECT uri, server, auth_user, display_name, remember_password, auto_sign_in FROM account WHERE id = 1',
  ).get();
  if (!row) return null;
  return {
    uri: row.uri,
    server: row.server,
    authUser: row.auth_user,
    displayName: row.display_name,
    rememberPassword: row.remember_password === 1,
    autoSignIn: row.auto_sign_in === 1,
  };
}

/** Remembers the account, replacing any other. */
export function saveAccount(db: Database, account: AccountRecord, now = Date.now()): void {
  prepared(
    db,
    `INSERT INTO account (id, uri, server, auth_user, display_name, remember_password, auto_sign_in, updated_at)
     VALUES (1, @uri, @server, @authUser, @displayName, @rememberPassword, @autoSignIn, @now)
     ON CONFLICT (id) DO UPDATE SET uri = excluded.uri, server = excluded.server, auth_user = excluded.auth_user,
       display_name = excluded.display_name, remember_password = excluded.remember_password,
       auto_sign_in = excluded.auto_sign_in, updated_at = excluded.updated_at`,
  ).run({
    ...account,
    rememberPassword: account.rememberPassword ? 1 : 0,
    autoSignIn: account.autoSignIn ? 1 : 0,
    now,
  });
}

/** Turns automatic sign-in at start on or off (off after an explicit sign-out). */
export function setAutoSignIn(db: Database, autoSignIn: boolean): void {
  prepared(db, 'UPDATE account SET auto_sign_in = ? WHERE id = 1').run(autoSignIn ? 1 : 0);
}

/** Forgets the account. */
export function deleteAccount(db: Database): void {
  prepared(db, 'DELETE FROM account WHERE id = 1').run();
}
