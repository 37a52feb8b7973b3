import type { Database } from 'better-sqlite3';

/**
 * Buddy list and presence authorisation, per signed-in account (`owner`), so that a second account
 * on the same machine never sees the first one's contacts.
 *
 * - `contact_groups`: named groups; one per owner is the default (contacts of a deleted group move there).
 * - `contacts`: people I follow, by normalised SIP URI, in one group.
 * - `watchers`: who asked to see my presence and what I decided (the approval inbox is the
 *   `pending` rows). Decisions are written to the server as pres-rules and kept here as the truth
 *   the next write is built from.
 */
export function updateToSchemaVersion0002(db: Database): void {
  db.exec(`
    CREATE TABLE contact_groups (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      name TEXT NOT NULL,
      is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX contact_groups_owner_name ON contact_groups (owner, name COLLATE NOCASE);
    CREATE UNIQUE INDEX contact_groups_one_default ON contact_groups (owner) WHERE is_default = 1;

    CREATE TABLE contacts (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      uri TEXT NOT NULL,
      display_name TEXT NOT NULL DEFAULT '',
      group_id INTEGER NOT NULL REFERENCES contact_groups (id),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX contacts_owner_uri ON contacts (owner, uri);
    CREATE INDEX contacts_group ON contacts (group_id);

    CREATE TABLE watchers (
      owner TEXT NOT NULL,
      uri TEXT NOT NULL,
      display_name TEXT NOT NULL DEFAULT '',
      decision TEXT NOT NULL CHECK (decision IN ('pending', 'allowed', 'declined', 'blocked')),
      requested_at INTEGER,
      decided_at INTEGER,
      PRIMARY KEY (owner, uri)
    ) STRICT;
  `);
}
