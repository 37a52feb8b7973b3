import type { Database } from 'better-sqlite3';

/**
 * A certificate the person chose to trust for an account (a private server's self-signed one): its
 * SHA-256 fingerprint, per account, used for the SIP WebSocket and XCAP alike. Empty: none.
 */
export function updateToSchemaVersion0004(db: Database): void {
  db.exec(`ALTER TABLE account_state ADD COLUMN trusted_cert TEXT NOT NULL DEFAULT '' CHECK (length(trusted_cert) <= 128)`);
}
