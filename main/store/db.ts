import Database from 'better-sqlite3';
import { migrate } from './migrations/index.js';

export type { Database } from 'better-sqlite3';

/**
 * Opens (creating if needed) Parley's SQLite file, in WAL mode so that reads never wait for the
 * writer, and migrates it to the current schema.
 */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
