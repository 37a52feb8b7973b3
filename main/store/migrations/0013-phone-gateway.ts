import type { Database } from 'better-sqlite3';

/**
 * The domain a phone-network gateway's calls come from, per account (empty: only the account's own
 * domain names contacts by number).
 */
export function updateToSchemaVersion0013(db: Database): void {
  db.exec(`ALTER TABLE account_state ADD COLUMN gateway TEXT NOT NULL DEFAULT '' CHECK (length(gateway) <= 253);`);
}
