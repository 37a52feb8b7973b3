import type { Database } from 'better-sqlite3';

/**
 * People whose messages I refused from Message requests ("Block"): their MESSAGEs are answered 403
 * and never stored or shown, per account.
 */
export function updateToSchemaVersion0007(db: Database): void {
  db.exec(`
    CREATE TABLE message_blocks (
      owner TEXT NOT NULL,
      uri TEXT NOT NULL CHECK (length(uri) <= 512),
      blocked_at INTEGER NOT NULL,
      PRIMARY KEY (owner, uri)
    ) STRICT;
  `);
}
