import type { Database } from 'better-sqlite3';

/**
 * The signed-in account (one row: Parley signs in one account at a time) and a key/value table for
 * settings. The password is deliberately absent: it lives in the secret store, never in SQLite.
 */
export function updateToSchemaVersion0001(db: Database): void {
  db.exec(`
    CREATE TABLE account (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      uri TEXT NOT NULL,
      server TEXT NOT NULL,
      auth_user TEXT NOT NULL DEFAULT '',
      display_name TEXT NOT NULL DEFAULT '',
      remember_password INTEGER NOT NULL DEFAULT 0 CHECK (remember_password IN (0, 1)),
      auto_sign_in INTEGER NOT NULL DEFAULT 1 CHECK (auto_sign_in IN (0, 1)),
      updated_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
  `);
}
