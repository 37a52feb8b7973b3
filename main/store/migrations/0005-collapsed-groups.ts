import type { Database } from 'better-sqlite3';

/**
 * Whether a group is shown collapsed in the buddy list. Kept with the group (per account) so that a
 * person who folds away "Vendors" finds it folded after a restart, in either window mode.
 */
export function updateToSchemaVersion0005(db: Database): void {
  db.exec(`ALTER TABLE contact_groups ADD COLUMN collapsed INTEGER NOT NULL DEFAULT 0 CHECK (collapsed IN (0, 1))`);
}
