import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { migrate } from './migrations/index.js';

export type { Database } from 'better-sqlite3';

/**
 * Opens (creating if needed) Parley's SQLite file, in WAL mode so that reads never wait for the
 * writer, and migrates it to the current schema.
 */
export function openDatabase(file: string): Database.Database {
  // Readable by this user alone: the file holds who I talk to. SQLite gives -wal and -shm the main
  // file's mode, so they follow; ones left by an older build are tightened too.
  const tighten = () => {
    for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
  };
  tighten();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    tighten();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
