import type { Database } from 'better-sqlite3';

/**
 * Full-text search over message text (SQLite FTS5, an external-content index over `messages`, kept
 * in step by triggers). Existing messages are indexed now.
 */
export function updateToSchemaVersion0008(db: Database): void {
  db.exec(`
    CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
      INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
    END;
    INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `);
}
