import type { Database } from 'better-sqlite3';

/**
 * STUN/TURN servers for calls, per account, with the TURN user name (its password is a secret, kept
 * with the SIP password outside SQLite).
 */
export function updateToSchemaVersion0012(db: Database): void {
  db.exec(`
    ALTER TABLE account_state ADD COLUMN ice_servers TEXT NOT NULL DEFAULT '' CHECK (length(ice_servers) <= 2048);
    ALTER TABLE account_state ADD COLUMN ice_user TEXT NOT NULL DEFAULT '' CHECK (length(ice_user) <= 256);
  `);
}
