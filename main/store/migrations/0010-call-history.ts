import type { Database } from 'better-sqlite3';

/**
 * Call history, per account: who, which way, when it started, was answered and ended, how it
 * ended, and whether a missed call has been seen (missed calls count on the contact, the title and
 * the tray until the person looks at the history).
 */
export function updateToSchemaVersion0010(db: Database): void {
  db.exec(`
    CREATE TABLE call_history (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      peer TEXT NOT NULL CHECK (length(peer) <= 512),
      number TEXT CHECK (number IS NULL OR length(number) <= 32),
      peer_name TEXT NOT NULL DEFAULT '' CHECK (length(peer_name) <= 128),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      video INTEGER NOT NULL DEFAULT 0 CHECK (video IN (0, 1)),
      started_at INTEGER NOT NULL,
      connected_at INTEGER,
      ended_at INTEGER NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'missed', 'declined', 'busy', 'cancelled', 'failed')),
      reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 512),
      seen INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1))
    ) STRICT;
    CREATE INDEX call_history_recent ON call_history (owner, id);
    CREATE INDEX call_history_unseen ON call_history (owner, peer) WHERE seen = 0;
  `);
}
